import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startAgent, tempDir } from '../helpers/agent.ts';
import { memoryReceivers } from '../helpers/memory.ts';

describe('telemetry endpoint', () => {
  it('serves /healthz, /readyz and Prometheus /metrics with per-component counters', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/t: {} }
exporters: { file: { path: ${join(dir, 'o.jsonl')} } }
service:
  data_dir: ${dir}
  telemetry: { address: "127.0.0.1:0" }
  pipelines: { logs: { receivers: [memory/t], exporters: [file] } }
`, { cwd: dir, telemetryServer: true });
    const base = `http://127.0.0.1:${agent.telemetryAddress!.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await memoryReceivers.get('memory/t')!.push([{ body: 'a' }, { body: 'b' }]);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('custody_receiver_accepted_records_total{receiver="memory/t"} 2');
    expect(text).toContain('custody_exporter_sent_records_total{exporter="file"} 2');
    expect(text).toContain('custody_pipeline_inflight_records{pipeline="logs"} 0');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    await agent.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAgent, tempDir } from '../helpers/agent.ts';
import { memoryExporters, memoryReceivers } from '../helpers/memory.ts';

describe('pipeline', () => {
  it('carries a batch from a receiver to the file exporter and acknowledges once written', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory: {} }
exporters: { file: { path: ${join(dir, 'out.jsonl')} } }
service:
  data_dir: ${join(dir, 'data')}
  pipelines: { logs: { receivers: [memory], exporters: [file] } }
`, { cwd: dir });
    await memoryReceivers.get('memory')!.push([{ body: 'hello', attributes: { a: 1 }, timestamp: '2026-11-22T10:00:00.123456789Z' }]);
    const text = await readFile(join(dir, 'out.jsonl'), 'utf8');
    expect(text).toBe('{"timestamp":"2026-11-22T10:00:00.123456789Z","body":"hello","attributes":{"a":1}}\n');
    await agent.stop();
  });

  it('makes a receiver wait when an exporter is slow, and holds at most max_inflight_records', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/slow: {} }
exporters: { memory/slow: {} }
service:
  data_dir: ${dir}
  max_inflight_records: 10
  pipelines: { logs: { receivers: [memory/slow], exporters: [memory/slow] } }
`, { cwd: dir });
    const exporter = memoryExporters.get('memory/slow')!;
    let open!: () => void;
    exporter.gate = new Promise((r) => (open = r));
    const receiver = memoryReceivers.get('memory/slow')!;
    const first = receiver.push(Array.from({ length: 10 }, (_, i) => ({ body: i })));
    let secondDone = false;
    const second = receiver.push([{ body: 'next' }]).then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.consumer!.saturated).toBe(true);
    expect(secondDone).toBe(false);
    open();
    exporter.gate = undefined;
    await Promise.all([first, second]);
    expect(exporter.records.map((r) => r.body)).toEqual([...Array.from({ length: 10 }, (_, i) => i), 'next']);
    await agent.stop();
  });

  it('rejects the batch (no acknowledgement) when an exporter fails', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/f: {} }
exporters: { memory/ok: {}, memory/bad: { fail: true } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/f], exporters: [memory/ok, memory/bad] } }
`, { cwd: dir });
    await expect(memoryReceivers.get('memory/f')!.push([{ body: 'x' }])).rejects.toThrow(/told to fail/);
    const metrics = await agent.telemetry.render();
    expect(metrics).toMatch(/custody_receiver_refused_records_total\{receiver="memory\/f",reason="error"\} 1/);
    await agent.stop();
  });
});

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startAgent, tempDir } from '../helpers/agent.ts';
import { memoryExporters, memoryReceivers } from '../helpers/memory.ts';

describe('agent lifecycle', () => {
  it('stops what it started when a component fails to start, and names the component', async () => {
    const dir = await tempDir();
    await expect(startAgent(`
receivers: { memory/l1: {} }
exporters: { memory/ok1: {}, memory/broken: { fail_start: true } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/l1], exporters: [memory/ok1, memory/broken] } }
`, { cwd: dir })).rejects.toThrow(/memory\/broken: failed to start: memory exporter told not to start/);
    expect(memoryExporters.get('memory/ok1')!.shutdowns).toBe(1);
  });

  it('a fatal error reported by a component notifies the runner, which stops the agent', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/l2: {} }
exporters: { memory/l2: {} }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/l2], exporters: [memory/l2] } }
`, { cwd: dir });
    const seen: Error[] = [];
    agent.onFatal((e) => seen.push(e));
    memoryReceivers.get('memory/l2')!.host!.reportFatal(new Error('disk gone'));
    expect(seen.map((e) => e.message)).toEqual(['disk gone']);
    expect(agent.fatal?.message).toBe('disk gone');
    await agent.stop();
    await agent.stop(); // idempotent
    expect(memoryReceivers.get('memory/l2')!.shutdowns).toBe(1);
    expect(memoryExporters.get('memory/l2')!.shutdowns).toBe(1);
  });

  it('drains in-flight batches on stop before shutting exporters down', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/l3: {} }
exporters: { memory/l3: { delay_ms: 200 }, file: { path: ${join(dir, 'o.jsonl')} } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/l3], exporters: [memory/l3, file] } }
`, { cwd: dir });
    const pushed = memoryReceivers.get('memory/l3')!.push([{ body: 1 }, { body: 2 }]);
    await new Promise((r) => setTimeout(r, 20));
    await agent.stop();
    await pushed;
    expect(memoryExporters.get('memory/l3')!.records).toHaveLength(2);
  });

  it('refuses new batches once stopping', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/l4: {} }
exporters: { memory/l4: {} }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/l4], exporters: [memory/l4] } }
`, { cwd: dir });
    await agent.stop();
    await expect(memoryReceivers.get('memory/l4')!.push([{ body: 1 }])).rejects.toThrow(/shutting down/);
  });
});

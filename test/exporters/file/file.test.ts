import { describe, expect, it } from 'vitest';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileWriter } from '../../../src/exporters/file/writer.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { startAgent, tempDir } from '../../helpers/agent.ts';
import { memoryReceivers } from '../../helpers/memory.ts';

const writer = (path: string, maxSize = 0, maxBackups = 0) =>
  new FileWriter({ path, fsync: 'batch', fsyncIntervalMs: 1000, maxSize, maxBackups, logger: silentLogger });

describe('file exporter', () => {
  it('cuts a torn last line left by a crash, so the file is whole lines', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3');
    const w = writer(path);
    await w.open();
    await w.append('{"a":4}\n');
    await w.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":4}\n');
  });

  it('handles a file that is one torn line', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.jsonl');
    await writeFile(path, 'x'.repeat(200_000));
    const w = writer(path);
    await w.open();
    await w.close();
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('rotates by size and keeps max_backups rotated files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'audit.jsonl');
    const w = writer(path, 100, 2);
    await w.open();
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      const line = JSON.stringify({ i, pad: 'x'.repeat(30) }) + '\n';
      lines.push(line);
      await w.append(line);
    }
    await w.close();
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(3);
    expect(files).toContain('audit.jsonl');
    expect(files.filter((f) => /^audit-\d{4}-\d{2}-\d{2}T.*\.jsonl$/.test(f))).toHaveLength(2);
    // The newest lines survive, in order, across the kept files.
    const kept = (await Promise.all(files.filter((f) => f !== 'audit.jsonl').sort().concat('audit.jsonl').map((f) => readFile(join(dir, f), 'utf8')))).join('');
    expect(lines.join('').endsWith(kept)).toBe(true);
  });

  it('group-commits concurrent appends in call order', async () => {
    const dir = await tempDir();
    const path = join(dir, 'g.jsonl');
    const w = writer(path);
    await w.open();
    await Promise.all(Array.from({ length: 200 }, (_, i) => w.append(`${i}\n`)));
    await w.close();
    expect((await readFile(path, 'utf8')).trim().split('\n').map(Number)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('writes the contract record with keys in contract order, appending to an existing file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'out.jsonl');
    await appendFile(path, '{"old":true}\n');
    const agent = await startAgent(`
receivers: { memory/f: {} }
exporters: { file: { path: ${path} } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/f], exporters: [file] } }
`, { cwd: dir });
    await memoryReceivers.get('memory/f')!.push([{
      chain: { id: 'n/1', seq: 0, prev: '0'.repeat(64), hash: 'a'.repeat(64) },
      trace_flags: 1, span_id: '00f067aa0ba902b7', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      scope: { name: 's' }, resource: { r: 1 }, attributes: { a: 1 }, body: { k: 'v' },
      severity_number: 9, severity_text: 'INFO', observed_timestamp: '2026-11-22T10:00:00.200000000Z', timestamp: '2026-11-22T10:00:00.123456789Z',
    }]);
    await agent.stop();
    const [old, line] = (await readFile(path, 'utf8')).trim().split('\n');
    expect(old).toBe('{"old":true}');
    expect(Object.keys(JSON.parse(line!))).toEqual(['timestamp', 'observed_timestamp', 'severity_text', 'severity_number', 'body', 'attributes', 'resource', 'scope', 'trace_id', 'span_id', 'trace_flags', 'chain']);
  });
});

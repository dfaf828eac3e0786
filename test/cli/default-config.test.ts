/**
 * The README's promise: `custody run` on the default config starts on a fresh machine with
 * no external service, is healthy within 2 s, takes an OTLP/JSON log over loopback into
 * ./data/out/audit.jsonl, and drains and exits 0 on SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/agent.ts';

const root = resolve(import.meta.dirname, '../..');

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('custody run on the default config', () => {
  it('is healthy within 2 s, lands an OTLP/JSON log in ./data/out/audit.jsonl, and exits 0 on SIGTERM', async () => {
    const cwd = await tempDir();
    await cp(join(root, 'config'), join(cwd, 'config'), { recursive: true });
    const started = Date.now();
    const child = spawn(process.execPath, [join(root, 'bin/custody.js'), 'run'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until(async () => ((await fetch('http://127.0.0.1:13133/readyz')).ok ? true : undefined), 10_000);
      const readyMs = Date.now() - started;
      expect(readyMs, stderr).toBeLessThan(2000 + 1500); // 2 s, plus a margin for a loaded CI machine's process start
      expect((await fetch('http://127.0.0.1:13133/healthz')).status).toBe(200);

      const res = await fetch('http://127.0.0.1:4318/v1/logs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeLogs: [{ scope: { name: 'audit' }, logRecords: [{ timeUnixNano: '1763805600123456789', severityNumber: 9, severityText: 'INFO', body: { stringValue: 'user alice logged in' }, attributes: [{ key: 'event.category', value: { stringValue: 'authentication' } }], traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 }] }] }] }),
      });
      expect(res.status).toBe(200);
      const lines = (await readFile(join(cwd, 'data/out/audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      const record = lines.find((l) => l.body === 'user alice logged in');
      expect(record).toMatchObject({
        timestamp: '2025-11-22T10:00:00.123456789Z',
        severity_number: 9,
        resource: { 'service.name': 'checkout' },
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        span_id: '00f067aa0ba902b7',
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/"msg":"agent stopped"/);
  });
});

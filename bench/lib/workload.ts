/**
 * Deterministic audit-event workload for benchmarks: JSON lines of about 350 bytes, some
 * carrying PII (emails, card numbers, bearer tokens) and W3C trace context.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** xorshift32: the same events on every run and machine. */
export function rng(seed = 42): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const ACTIONS = ['login', 'logout', 'read', 'update', 'delete', 'export', 'grant', 'revoke'];
const CATEGORIES = ['authentication', 'authorization', 'admin', 'data_access', 'configuration'];
const OUTCOMES = ['success', 'failure'];

function hex(r: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(r() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return s.slice(0, n);
}

/** One event line (no newline), ~350 bytes. */
export function eventLine(i: number, r: () => number): string {
  const user = `user${Math.floor(r() * 5000)}`;
  const traceId = hex(r, 32);
  const event: Record<string, unknown> = {
    time: new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + i).toISOString(),
    level: r() < 0.9 ? 'info' : 'warn',
    'event.kind': 'audit',
    'event.category': CATEGORIES[Math.floor(r() * CATEGORIES.length)],
    action: ACTIONS[Math.floor(r() * ACTIONS.length)],
    outcome: OUTCOMES[r() < 0.95 ? 0 : 1],
    actor: { id: user, ip: `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}` },
    resource: `cus_${hex(r, 12)}`,
    request_id: `req-${hex(r, 16)}`,
    traceparent: `00-${traceId}-${hex(r, 16)}-01`,
  };
  const k = r();
  if (k < 0.1) event.message = `password reset sent to ${user}@example.com`;
  else if (k < 0.15) event.message = 'charged card 4111 1111 1111 1111 for order';
  else if (k < 0.2) event.message = 'call with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln';
  else event.message = `${event.action} done in ${Math.floor(r() * 900)}ms`;
  return JSON.stringify(event);
}

/** Writes `count` lines to `path` unless a file of that many lines is already there. */
export async function ensureWorkload(path: string, count: number, seed = 42): Promise<number> {
  const existing = await stat(path).catch(() => undefined);
  if (existing && existing.size > count * 200) return existing.size;
  const r = rng(seed);
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += eventLine(i, r) + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  return (await stat(path)).size;
}

/** Reads a file as lines in large chunks (the fastest plain-Node way). */
export async function* readLines(path: string): AsyncGenerator<string[]> {
  const { createReadStream } = await import('node:fs');
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = rest + (chunk as string);
    const lines = text.split('\n');
    rest = lines.pop()!;
    yield lines;
  }
  if (rest) yield [rest];
}

/** The V8 flags bin/custody.js runs the agent with (its shebang), for benches that run it in-process. */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=8'];

/** Runs this script again in a child with `args`, returning its JSON result line. */
export async function runChild(script: string, args: string[], nodeFlags: string[] = []): Promise<Record<string, number | string>> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(process.execPath, [...nodeFlags, script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, number | string>;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { sampleProcessorFactory } from '../../../src/processors/sample/index.ts';
import type { LogRecord } from '../../../src/core/record.ts';
import { configIssues, harness } from '../schema/harness.ts';
import { startAgent, tempDir } from '../../helpers/agent.ts';
import { memoryExporters, memoryReceivers } from '../../helpers/memory.ts';

/** Deterministic test data: a small PRNG independent of the one under test. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function traceIds(n: number, seed = 7): string[] {
  const next = prng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 4 }, () => Math.floor(next() * 2 ** 32).toString(16).padStart(8, '0')).join(''));
}

const CONTRACT_KEEP = [
  { severity_number: { gte: 13 } },
  { attributes: { 'event.category': ['authentication', 'authorization', 'admin'] } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sample: consistent ratio sampling with keep rules', () => {
  it('20,000 records over 2,000 traces at 0.25: share within 0.25 ± 0.02, traces all-or-nothing, keep-rule records all kept', async () => {
    const traces = traceIds(2000);
    const next = prng(99);
    const records: (LogRecord & { id: number; keepRule: boolean })[] = [];
    for (let i = 0; i < 20_000; i++) {
      const trace = traces[i % 2000]!;
      const roll = next();
      const severity = roll < 0.05 ? 17 : roll < 0.08 ? 13 : 9;
      const category = roll > 0.95 ? 'authentication' : roll > 0.93 ? 'admin' : 'data_access';
      records.push({ id: i, keepRule: severity >= 13 || category !== 'data_access', trace_id: trace, severity_number: severity, attributes: { 'event.category': category }, body: { n: i } });
    }
    const h = await harness(sampleProcessorFactory, { ratio: 0.25, seed: 0, keep: CONTRACT_KEEP });
    const kept = new Set<number>();
    for (let i = 0; i < records.length; i += 512) {
      for (const r of await h.run(records.slice(i, i + 512))) kept.add((r as { id: number }).id);
    }

    const keepRule = records.filter((r) => r.keepRule);
    const rest = records.filter((r) => !r.keepRule);
    expect(keepRule.length).toBeGreaterThan(1000);
    expect(keepRule.every((r) => kept.has(r.id))).toBe(true);

    const share = rest.filter((r) => kept.has(r.id)).length / rest.length;
    expect(share).toBeGreaterThanOrEqual(0.23);
    expect(share).toBeLessThanOrEqual(0.27);

    const fate = new Map<string, Set<boolean>>();
    for (const r of rest) {
      const set = fate.get(r.trace_id!) ?? new Set<boolean>();
      set.add(kept.has(r.id));
      fate.set(r.trace_id!, set);
    }
    expect([...fate.values()].every((s) => s.size === 1)).toBe(true);
    expect(h.dropped.get('sampled_out')).toBe(rest.length - rest.filter((r) => kept.has(r.id)).length);
    const metrics = await h.metrics();
    expect(metrics).toMatch(new RegExp(`custody_sample_kept_records_total\\{processor="sample",pipeline="logs",reason="keep_rule"\\} ${keepRule.length}`));
  });

  it('decides the same on every node, whatever the batching and order', async () => {
    const traces = traceIds(500, 3);
    const a = await harness(sampleProcessorFactory, { ratio: 0.3, seed: 42 });
    const b = await harness(sampleProcessorFactory, { ratio: 0.3, seed: 42 });
    const keptA = new Set((await a.run(traces.map((t) => ({ trace_id: t })))).map((r) => r.trace_id));
    const keptB = new Set<string | undefined>();
    for (const t of [...traces].reverse()) for (const r of await b.run([{ trace_id: t }])) keptB.add(r.trace_id);
    expect(keptA.size).toBeGreaterThan(100);
    expect([...keptA].sort()).toEqual([...keptB].sort());
  });

  it('a different seed keeps a different set of traces; upper-case ids decide like lower-case', async () => {
    const traces = traceIds(500, 5);
    const one = await harness(sampleProcessorFactory, { ratio: 0.5, seed: 1 });
    const two = await harness(sampleProcessorFactory, { ratio: 0.5, seed: 2 });
    const k1 = (await one.run(traces.map((t) => ({ trace_id: t })))).map((r) => r.trace_id);
    const k2 = (await two.run(traces.map((t) => ({ trace_id: t })))).map((r) => r.trace_id);
    expect(k1).not.toEqual(k2);
    const upper = (await one.run(traces.map((t) => ({ trace_id: t.toUpperCase() })))).map((r) => r.trace_id!.toLowerCase());
    expect(upper).toEqual(k1);
  });

  it("matches the Collector's hash_seed arithmetic (FNV-1a over seed bytes then trace-id bytes, 14 bits)", async () => {
    // Reference FNV-1a 32, checked against its published vector first.
    const fnv = (bytes: number[]): number => {
      let h = 0x811c9dc5n;
      for (const b of bytes) h = ((h ^ BigInt(b)) * 0x01000193n) & 0xffffffffn;
      return Number(h);
    };
    expect(fnv([...Buffer.from('foobar')])).toBe(0xbf9cf968);
    const seed = 0x3024001;
    const percent = 10;
    const threshold = Math.floor(Math.fround(Math.fround(percent) * Math.fround(163.84)));
    const traces = traceIds(2000, 11);
    const expected = traces.filter((t) => {
      const bytes = [seed & 0xff, (seed >>> 8) & 0xff, (seed >>> 16) & 0xff, (seed >>> 24) & 0xff, ...Buffer.from(t, 'hex')];
      return (fnv(bytes) & 0x3fff) < threshold;
    });
    const h = await harness(sampleProcessorFactory, { ratio: percent / 100, seed });
    const kept = (await h.run(traces.map((t) => ({ trace_id: t })))).map((r) => r.trace_id);
    expect(kept).toEqual(expected);
    expect(kept.length).toBeGreaterThan(150);
  });

  it('ratio 0 keeps only keep-rule records; ratio 1 keeps everything', async () => {
    const zero = await harness(sampleProcessorFactory, { ratio: 0, keep: CONTRACT_KEEP });
    const out = await zero.run([{ severity_number: 17 }, { severity_number: 9, trace_id: 'a'.repeat(32) }, { body: 'x' }]);
    expect(out).toEqual([{ severity_number: 17 }]);
    expect(zero.dropped.get('sampled_out')).toBe(2);
    const all = await harness(sampleProcessorFactory, { ratio: 1 });
    expect(await all.run(traceIds(100).map((t) => ({ trace_id: t })))).toHaveLength(100);
    expect(all.dropped.size).toBe(0);
  });

  it('keeps records that failed their schema unless keep_schema_invalid is false', async () => {
    const invalid = (): LogRecord => ({ body: 'x', attributes: { 'custody.schema.errors': 'audit-v1: / must be object' } });
    const on = await harness(sampleProcessorFactory, { ratio: 0 });
    expect(await on.run([invalid(), { body: 'ok' }])).toEqual([invalid()]);
    expect(await on.metrics()).toMatch(/custody_sample_kept_records_total\{[^}]*reason="schema_invalid"\} 1/);
    const off = await harness(sampleProcessorFactory, { ratio: 0, keep_schema_invalid: false });
    expect(await off.run([invalid()])).toEqual([]);
  });
});

describe('sample: records without a trace id', () => {
  it('hash_field: the same value always gets the same decision, and the share follows the ratio', async () => {
    const h = await harness(sampleProcessorFactory, { ratio: 0.5, hash_field: 'attributes.session.id' });
    const sessions = Array.from({ length: 4000 }, (_, i) => `sess-${i}-é`);
    const first = new Set((await h.run(sessions.map((s) => ({ attributes: { 'session.id': s } })))).map((r) => r.attributes!['session.id']));
    const second = new Set((await h.run(sessions.map((s) => ({ attributes: { 'session.id': s } })))).map((r) => r.attributes!['session.id']));
    expect([...first]).toEqual([...second]);
    expect(first.size / sessions.length).toBeGreaterThan(0.45);
    expect(first.size / sessions.length).toBeLessThan(0.55);
  });

  it('without trace id or hash field value: random at the ratio, reproducible for a seed', async () => {
    const run = async () => {
      const h = await harness(sampleProcessorFactory, { ratio: 0.3, seed: 9, hash_field: 'body.user' });
      return (await h.run(Array.from({ length: 10_000 }, (_, i) => ({ body: { n: i } })))).map((r) => (r.body as { n: number }).n);
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.length / 10_000).toBeGreaterThan(0.27);
    expect(a.length / 10_000).toBeLessThan(0.33);
  });

  it('an invalid trace id falls back to the hash field', async () => {
    const h = await harness(sampleProcessorFactory, { ratio: 0.5, hash_field: 'body.k' });
    const out1 = await h.run(Array.from({ length: 200 }, (_, i) => ({ trace_id: 'not-hex', body: { k: i } })));
    const out2 = await h.run(Array.from({ length: 200 }, (_, i) => ({ body: { k: i } })));
    expect(out1.map((r) => (r.body as { k: number }).k)).toEqual(out2.map((r) => (r.body as { k: number }).k));
  });
});

describe('sample: rate_limit', () => {
  it('lets each key pass burst records, then records_per_second; keep-rule records bypass it', async () => {
    const h = await harness(sampleProcessorFactory, {
      keep: [{ severity_number: { gte: 17 } }],
      rate_limit: { records_per_second: 10, burst: 5, key: 'resource.service.name' },
    });
    const batch = (service: string, n: number, severity = 9): LogRecord[] => Array.from({ length: n }, () => ({ severity_number: severity, resource: { 'service.name': service } }));
    const out = await h.run([...batch('a', 20), ...batch('b', 20), ...batch('a', 3, 17)]);
    const count = (records: LogRecord[], s: string) => records.filter((r) => r.resource!['service.name'] === s && r.severity_number === 9).length;
    expect(count(out, 'a')).toBe(5);
    expect(count(out, 'b')).toBe(5);
    expect(out.filter((r) => r.severity_number === 17)).toHaveLength(3);
    expect(h.dropped.get('rate_limited')).toBe(30);
    await sleep(1000); // refills to the burst cap, no more
    const later = await h.run(batch('a', 20));
    expect(later).toHaveLength(5);
  });

  it('records without the key share one bucket; max_keys bounds the buckets', async () => {
    const h = await harness(sampleProcessorFactory, { rate_limit: { records_per_second: 1, burst: 2, max_keys: 2 } });
    const out = await h.run([{}, {}, {}, { resource: {} }]);
    expect(out).toHaveLength(2);
    // Three keys through two buckets: the first key is forgotten and starts full again.
    const svc = (s: string): LogRecord => ({ resource: { 'service.name': s } });
    expect(await h.run([svc('x'), svc('x'), svc('x')])).toHaveLength(2);
    expect(await h.run([svc('y'), svc('z'), svc('x'), svc('x')])).toHaveLength(4);
  });
});

describe('sample: config', () => {
  it.each([
    [{ ratio: 1.5 }, 'ratio: must be <= 1'],
    [{ ratio: 0.00001 }, 'ratio: is below the smallest share sampling can keep (1/16384); use 0 to keep only what keep rules hold for'],
    [{ seed: -1 }, 'seed: must be >= 0'],
    [{ keep: [{ body: { msg: { matches: '(x' } } }] }, 'keep.0.body.msg.matches: invalid RE2 pattern: missing ): (x'],
    [{ keep: [{ level: 'warn' }] }, 'keep.0.level: unknown key "level"'],
    [{ hash_field: 'session' }, 'hash_field: "session" is not a field reference: expected attributes.<key>, resource.<key>, body, body.<field>, severity_text, severity_number, trace_id or span_id'],
    [{ rate_limit: { key: 'svc' } }, expect.stringMatching(/^rate_limit\.key: "svc" is not a field reference/)],
    [{ rate_limit: { per_second: 1 } }, 'rate_limit.per_second: unknown key "per_second"'],
  ])('%j is refused', (config, message) => {
    expect(configIssues(sampleProcessorFactory, config)).toEqual([message]);
  });

  it('accepts the contract example', () => {
    expect(configIssues(sampleProcessorFactory, { ratio: 0.25, seed: 0, keep: CONTRACT_KEEP })).toEqual([]);
  });
});

describe('sample in a pipeline', () => {
  it('counts every drop by reason in /metrics', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/sample: {} }
processors:
  sample:
    ratio: 0.25
    seed: 0
    keep:
      - { severity_number: { gte: 13 } }
exporters: { memory/sample: {} }
service:
  data_dir: ${join(dir, 'data')}
  pipelines: { logs: { receivers: [memory/sample], processors: [sample], exporters: [memory/sample] } }
`, { cwd: dir });
    const records: LogRecord[] = traceIds(400, 21).map((t) => ({ trace_id: t, severity_number: 9 }));
    records.push({ severity_number: 13 });
    await memoryReceivers.get('memory/sample')!.push(records);
    const exported = memoryExporters.get('memory/sample')!.records;
    expect(exported.some((r) => r.severity_number === 13)).toBe(true);
    const dropped = 401 - exported.length;
    expect(dropped).toBeGreaterThan(200);
    const metrics = await agent.telemetry.render();
    expect(metrics).toContain(`custody_processor_dropped_records_total{processor="sample",pipeline="logs",reason="sampled_out"} ${dropped}`);
    await agent.stop();
  });
});

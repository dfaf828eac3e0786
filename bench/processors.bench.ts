/**
 * Processor benchmark: records/s through `schema` (the shipped audit schema), `correlate`
 * and `sample`, each on its own, next to a baseline measured in the same run: JSON.parse
 * of the line plus recordToJson of the record (what every record costs anyway on its way
 * through the agent). Records are ~350-byte audit events as JSON lines; each processor
 * gets freshly parsed records (processors mutate) in batches of 512, and only `process`
 * is timed. The median of --runs runs is reported.
 *
 *   node bench/processors.bench.ts [--records N] [--runs N]
 *
 * Targets: schema >= 200,000/s, correlate >= 500,000/s, sample >= 500,000/s.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { CreateContext, ProcessContext, Processor, ProcessorFactory } from '../src/core/component.ts';
import { recordToJson, type LogRecord } from '../src/core/record.ts';
import { Telemetry } from '../src/core/telemetry.ts';
import { silentLogger } from '../src/core/logger.ts';
import { deepMerge } from '../src/config/load.ts';
import { compileSchema } from '../src/config/ajv.ts';
import { schemaProcessorFactory } from '../src/processors/schema/index.ts';
import { correlateProcessorFactory } from '../src/processors/correlate/index.ts';
import { sampleProcessorFactory } from '../src/processors/sample/index.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
const COUNT = Number(values.records);
const RUNS = Number(values.runs);
const BATCH = 512;

// ---- workload -------------------------------------------------------------------------
const CATEGORIES = ['authentication', 'data_access', 'authorization', 'admin'] as const;
function hex(n: number, width: number): string {
  let out = '';
  let x = n >>> 0;
  while (out.length < width) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out.slice(0, width);
}

function line(i: number): string {
  const trace = hex(Math.floor(i / 8) + 1, 32);
  const category = CATEGORIES[i % CATEGORIES.length]!;
  const body: Record<string, unknown> = {
    event: { kind: 'audit', category, id: `e-${i}` },
    timestamp: '2026-11-22T10:00:00.123Z',
    actor: { type: 'user', id: `u-${i % 977}` },
    action: category === 'authentication' ? 'user.login' : 'invoice.read',
    outcome: 'success',
    request_id: `req-${Math.floor(i / 8)}`,
    trace_id: trace,
  };
  if (category === 'authentication') body.authentication = { method: 'password', mfa: true };
  if (category !== 'authentication') body.resource = { type: 'invoice', id: `inv-${i % 4099}` };
  if (category === 'authorization') body.authorization = { decision: 'allow' };
  if (category === 'data_access') body.data = { categories: ['contact'] };
  const record: LogRecord = {
    severity_number: 9,
    body: body as LogRecord['body'],
    resource: { 'service.name': `svc-${i % 5}` },
  };
  return recordToJson(record);
}

const lines = Array.from({ length: COUNT }, (_, i) => line(i));
const avgBytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0) / lines.length;

// ---- harness --------------------------------------------------------------------------
async function build(factory: ProcessorFactory, user: Record<string, unknown>): Promise<Processor> {
  const config = deepMerge(factory.defaults(), user);
  if (!compileSchema(factory.configSchema)(config)) throw new Error(`bad ${factory.type} config`);
  const issues = factory.validate?.(config, { componentIds: { receivers: [], processors: [], exporters: [] }, resolvePath: (p) => resolve(p) }) ?? [];
  if (issues.length) throw new Error(issues.map((i) => i.message).join('; '));
  const ctx: CreateContext = {
    id: factory.type, kind: 'processor', pipeline: 'logs', logger: silentLogger, telemetry: new Telemetry(), dataDir: '/tmp',
    resolvePath: (p) => resolve(p), agent: { version: 'bench', configSha256: '', configPath: '', hostname: 'bench' },
  };
  const p = factory.create(config, ctx) as Processor;
  await p.start({ reportFatal: (e) => { throw e; }, getExporter: () => undefined });
  return p;
}

const pctx: ProcessContext = { dropped: () => {}, route: () => {} };

function freshBatches(prepare?: (r: LogRecord) => void): LogRecord[][] {
  const batches: LogRecord[][] = [];
  for (let i = 0; i < lines.length; i += BATCH) {
    const batch = lines.slice(i, i + BATCH).map((l) => JSON.parse(l) as LogRecord);
    if (prepare) batch.forEach(prepare);
    batches.push(batch);
  }
  return batches;
}

async function timeProcessor(p: Processor, prepare?: (r: LogRecord) => void): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const batches = freshBatches(prepare);
    const start = performance.now();
    for (const b of batches) await p.process(b, pctx);
    rates.push(COUNT / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

function timeBaseline(): number {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let bytes = 0;
    const start = performance.now();
    for (const l of lines) bytes += recordToJson(JSON.parse(l) as LogRecord).length;
    rates.push(COUNT / ((performance.now() - start) / 1000));
    if (bytes === 0) throw new Error('unreachable');
  }
  return median(rates);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// ---- run ------------------------------------------------------------------------------
const schema = await build(schemaProcessorFactory, {
  schemas: [{ name: 'audit-v1', file: 'config/schemas/audit-event.v1.json', match: { body: { 'event.kind': 'audit' } } }],
  on_invalid: 'tag',
});
const correlate = await build(correlateProcessorFactory, {});
const sample = await build(sampleProcessorFactory, {
  ratio: 0.25,
  seed: 0,
  keep: [{ severity_number: { gte: 13 } }, { attributes: { 'event.category': ['authentication', 'authorization', 'admin'] } }],
});

// Sanity: the workload is valid against the shipped schema (else the bench measures the error path).
const check = freshBatches()[0]!;
await schema.process(check, pctx);
const invalid = check.filter((r) => r.attributes?.['custody.schema.errors'] !== undefined);
if (invalid.length > 0) throw new Error(`workload invalid: ${String(invalid[0]!.attributes!['custody.schema.errors'])}`);

const baseline = timeBaseline();
const results: [string, number, number][] = [];
results.push(['schema (audit-event.v1)', await timeProcessor(schema), 200_000]);
results.push(['correlate', await timeProcessor(correlate), 500_000]);
results.push(['sample (ratio 0.25)', await timeProcessor(sample, (r) => { r.trace_id = (r.body as { trace_id: string }).trace_id; }), 500_000]);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11);
console.log(`node ${process.version}, ${COUNT} records of ${avgBytes.toFixed(0)} bytes, batches of ${BATCH}, median of ${RUNS} runs`);
console.log(`${'baseline: JSON.parse + recordToJson'.padEnd(38)} ${fmt(baseline)} records/s`);
for (const [name, rate, target] of results) {
  console.log(`${name.padEnd(38)} ${fmt(rate)} records/s  (${(rate / baseline).toFixed(2)}x baseline, target ${target.toLocaleString('en-US')}: ${rate >= target ? 'met' : 'MISSED'})`);
}

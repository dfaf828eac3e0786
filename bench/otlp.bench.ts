/**
 * OTLP receiver benchmark: records/s, request latency (p50 / p99) and the agent's peak RSS
 * for OTLP/gRPC and OTLP/HTTP protobuf into the file exporter (fsync: batch), with batches
 * of 100 and 1,000 records, next to a plain-Node baseline measured in the same run
 * (protobufjs decode + JSON.stringify + write + fdatasync per batch, no network) and a
 * decoder comparison (the hand-written decoder vs protobufjs decode + mapping).
 *
 * The agent runs in a child process (bench/otlp/agent.ts), the load generator here: a
 * closed loop keeping `--concurrency` requests in flight for `--seconds`.
 *
 *   node bench/otlp.bench.ts [--seconds 5] [--concurrency 8] [--only grpc:1000]
 *
 * OTLP_BENCH_PROFILE=<dir> writes a CPU profile of the agent; OTLP_BENCH_TRACE_GC=1 traces its GC.
 * The soak fuzz of the decoders is bench/otlp/fuzz.ts.
 */
import { fork, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'undici';
import { AGENT_NODE_FLAGS } from './lib/workload.ts';
import { requestBytes } from './otlp/workload.ts';
import { decodeProtobufRequest } from '../src/receivers/otlp/decode-protobuf.ts';
import { decodeJsonRequest } from '../src/receivers/otlp/decode-json.ts';
import { EXPORT_LOGS_PATH, otlpTypes } from '../src/receivers/otlp/proto.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '8' }, only: { type: 'string' } } });
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const here = fileURLToPath(new URL('./otlp/', import.meta.url));

interface Load { records: number; seconds: number; latencies: number[] }

async function closedLoop(send: () => Promise<void>, recordsPerRequest: number): Promise<Load> {
  // Warm up for a second, then measure.
  const warmUntil = performance.now() + 1000;
  const until = warmUntil + SECONDS * 1000;
  const latencies: number[] = [];
  let records = 0;
  let measureStart = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await send();
      const t1 = performance.now();
      if (t0 >= warmUntil) {
        latencies.push(t1 - t0);
        records += recordsPerRequest;
      }
    }
  };
  const timer = setTimeout(() => (measureStart = performance.now()), 1000);
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearTimeout(timer);
  return { records, seconds: (performance.now() - (measureStart || warmUntil)) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

function grpcSender(address: string, body: Buffer): { send: () => Promise<void>; close: () => void } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20 });
  const id = (b: Buffer): Buffer => b;
  return {
    send: () => new Promise((resolve, reject) => {
      client.makeUnaryRequest(EXPORT_LOGS_PATH, id, id, body, (error) => (error ? reject(error) : resolve()));
    }),
    close: () => client.close(),
  };
}

function httpSender(address: string, body: Buffer): { send: () => Promise<void>; close: () => Promise<void> } {
  const pool = new Pool(`http://${address}`, { connections: CONCURRENCY });
  return {
    send: async () => {
      const res = await pool.request({ path: '/v1/logs', method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    },
    close: () => pool.close(),
  };
}

async function scenario(transport: 'grpc' | 'http', batch: number) {
  const dir = await mkdtemp(join(tmpdir(), 'custody-bench-otlp-'));
  const profile = process.env.OTLP_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OTLP_BENCH_PROFILE}`] : [];
  if (process.env.OTLP_BENCH_TRACE_GC) profile.push('--trace-gc');
  const child = fork(join(here, 'agent.ts'), [dir], { execArgv: [...AGENT_NODE_FLAGS, ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ grpc: string; http: string }>((resolve) => child.once('message', (m) => resolve(m as { grpc: string; http: string })));
  const body = requestBytes(batch);
  const sender = transport === 'grpc' ? grpcSender(ready.grpc, body) : httpSender(ready.http, body);
  const load = await closedLoop(sender.send, batch);
  await sender.close();
  child.send({ kind: 'stop' });
  const stopped = await new Promise<{ maxRssMiB: number; lines: number }>((resolve) => child.on('message', (m) => {
    if ((m as { kind: string }).kind === 'stopped') resolve(m as { maxRssMiB: number; lines: number });
  }));
  await rm(dir, { recursive: true, force: true });
  return { load, ...stopped, bodyBytes: body.length };
}

function baseline(batch: number): { rate: number; p50: number; p99: number; rssMiB: number } {
  const dir = join(tmpdir(), `custody-bench-otlp-baseline-${process.pid}`);
  execFileSync('mkdir', ['-p', dir]);
  const out = execFileSync(process.execPath, [...AGENT_NODE_FLAGS, join(here, 'baseline.ts'), dir, String(batch), String(SECONDS)], { encoding: 'utf8' });
  execFileSync('rm', ['-rf', dir]);
  return JSON.parse(out.trim().split('\n').pop()!) as { rate: number; p50: number; p99: number; rssMiB: number };
}

/** Decode-only records/s: the receiver's decoder against protobufjs decode + the same mapping. */
function decoders(batch: number): { fast: number; reference: number } {
  const bytes = requestBytes(batch);
  const options = { maxDepth: 100, receivedAt: '2026-01-01T00:00:00.000000000Z' };
  const { ExportLogsServiceRequest } = otlpTypes();
  const reference = (): void => {
    const object = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), { longs: String, bytes: String, enums: Number, json: true });
    // Same mapping path the JSON decoder takes (ids hex-encoded on the way).
    decodeJsonRequest(Buffer.from(JSON.stringify(object, (k, v: unknown) => (k === 'traceId' || k === 'spanId') && typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex') : v)), options);
  };
  const fast = (): void => void decodeProtobufRequest(bytes, options);
  const rate = (fn: () => void): number => {
    for (let i = 0; i < 50; i++) fn();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 1500) { fn(); n++; }
    return (n * batch) / ((performance.now() - t0) / 1000);
  };
  return { fast: rate(fast), reference: rate(reference) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined): string => (n ?? NaN).toFixed(2);

console.log(`node ${process.version}, ${SECONDS}s per scenario after 1s warm-up, ${CONCURRENCY} requests in flight`);
console.log('| transport | batch | request bytes | records/s | p50 ms | p99 ms | agent peak RSS MiB | lines written |');
console.log('|---|---|---|---|---|---|---|---|');
for (const batch of [100, 1000]) {
  for (const transport of ['grpc', 'http'] as const) {
    if (values.only && values.only !== `${transport}:${batch}`) continue;
    const r = await scenario(transport, batch);
    const { latencies } = r.load;
    console.log(`| OTLP/${transport === 'grpc' ? 'gRPC' : 'HTTP protobuf'} | ${batch} | ${fmt(r.bodyBytes)} | ${fmt(r.load.records / r.load.seconds)} | ${ms(latencies[Math.floor(latencies.length * 0.5)])} | ${ms(latencies[Math.floor(latencies.length * 0.99)])} | ${r.maxRssMiB.toFixed(0)} | ${fmt(r.lines)} |`);
  }
  if (values.only) continue;
  const b = baseline(batch);
  console.log(`| baseline (protobufjs decode + JSON.stringify + write + fdatasync, no network) | ${batch} | | ${fmt(b.rate)} | ${ms(b.p50)} | ${ms(b.p99)} | ${b.rssMiB.toFixed(0)} | |`);
}
if (values.only) process.exit(0);
console.log('\ndecode only (records/s, one core):');
for (const batch of [100, 1000]) {
  const d = decoders(batch);
  console.log(`  batch ${batch}: hand-written decoder ${fmt(d.fast)}; protobufjs decode + mapping ${fmt(d.reference)} (x${(d.fast / d.reference).toFixed(1)})`);
}

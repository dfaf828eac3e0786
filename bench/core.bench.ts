/**
 * Core pipeline benchmark: 1,000,000 JSON records of ~350 bytes through a pipeline with no
 * processors into the file exporter, next to a plain Node baseline in the same run (read
 * lines, JSON.parse, JSON.stringify, write). Each variant runs in its own process so its
 * peak RSS is its own; the median of RUNS runs is reported.
 *
 *   node bench/core.bench.ts [--lines N] [--runs N]
 */
import { mkdir, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_FLAGS, ensureWorkload, median, readLines, runChild } from './lib/workload.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, mode: { type: 'string' }, input: { type: 'string' }, out: { type: 'string' } } });
const self = fileURLToPath(import.meta.url);

async function baseline(input: string, out: string): Promise<void> {
  const stream = createWriteStream(out);
  for await (const lines of readLines(input)) {
    let text = '';
    for (const line of lines) text += JSON.stringify({ body: JSON.parse(line) }) + '\n';
    if (!stream.write(text)) await new Promise<void>((r) => stream.once('drain', () => r()));
  }
  await new Promise<void>((r) => stream.end(r));
}

async function custody(input: string, out: string, dir: string): Promise<void> {
  const { loadConfigText } = await import('../src/config/load.ts');
  const { Agent } = await import('../src/core/agent.ts');
  const { silentLogger } = await import('../src/core/logger.ts');
  const { createRegistry } = await import('../src/components.ts');
  const { nowTimestamp } = await import('../src/core/time.ts');
  const registry = createRegistry();
  // The bench's receiver: reads the file and hands batches on, several in flight, as a
  // real receiver would.
  let consumer: import('../src/core/component.ts').LogsConsumer | undefined;
  registry.register({
    kind: 'receiver', type: 'bench', configSchema: { type: 'object' }, defaults: () => ({}),
    create: () => ({ start: async (host: import('../src/core/component.ts').ReceiverHost) => { consumer = host.consumer; }, shutdown: async () => {} }),
  });
  const config = await loadConfigText(join(dir, 'c.yaml'), `
receivers: { bench: {} }
exporters: { file: { path: ${out}, rotation: { max_size: 0 } } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [bench], exporters: [file] } }
`, { registry, env: {}, cwd: dir });
  const agent = new Agent(config, { logger: silentLogger, telemetryServer: false });
  await agent.start();
  const inflight = new Set<Promise<void>>();
  for await (const lines of readLines(input)) {
    const observed = nowTimestamp();
    const batch = lines.map((line) => ({ observed_timestamp: observed, body: JSON.parse(line) }));
    const p = consumer!.consume(batch).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 16) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  await agent.stop();
}

if (values.mode) {
  const start = performance.now();
  if (values.mode === 'baseline') await baseline(values.input!, values.out!);
  else await custody(values.input!, values.out!, join(values.out!, '..'));
  const seconds = (performance.now() - start) / 1000;
  const lines = Number(values.lines);
  const mem = process.memoryUsage();
  if (process.env.BENCH_MEM) console.error(JSON.stringify({ heapTotal: mem.heapTotal >> 20, heapUsed: mem.heapUsed >> 20, external: mem.external >> 20, arrayBuffers: mem.arrayBuffers >> 20, rss: mem.rss >> 20 }));
  console.log(JSON.stringify({ mode: values.mode, seconds, rate: lines / seconds, rssMiB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const lines = Number(values.lines);
  const dir = join(tmpdir(), 'custody-bench-core');
  await mkdir(dir, { recursive: true });
  const input = join(dir, `input-${lines}.jsonl`);
  const bytes = await ensureWorkload(input, lines);
  console.log(`workload: ${lines} lines, ${(bytes / lines).toFixed(0)} bytes/line average`);
  const results: Record<string, { rate: number[]; rss: number[] }> = { baseline: { rate: [], rss: [] }, custody: { rate: [], rss: [] } };
  for (let run = 0; run < Number(values.runs); run++) {
    for (const mode of ['baseline', 'custody']) {
      const out = join(dir, `out-${mode}.jsonl`);
      await rm(out, { force: true });
      const r = await runChild(self, ['--mode', mode, '--input', input, '--out', out, '--lines', String(lines)], mode === 'custody' ? AGENT_NODE_FLAGS : []);
      results[mode]!.rate.push(r.rate as number);
      results[mode]!.rss.push(r.rssMiB as number);
      console.log(`run ${run + 1} ${mode.padEnd(8)} ${Math.round(r.rate as number).toLocaleString('en')} records/s, peak RSS ${(r.rssMiB as number).toFixed(0)} MiB`);
    }
  }
  const b = median(results.baseline!.rate);
  const c = median(results.custody!.rate);
  console.log(`\nmedian of ${values.runs}: baseline ${Math.round(b).toLocaleString('en')} records/s (RSS ${median(results.baseline!.rss).toFixed(0)} MiB), custody ${Math.round(c).toLocaleString('en')} records/s (RSS ${median(results.custody!.rss).toFixed(0)} MiB), ratio ${(c / b * 100).toFixed(0)}% (target >= 60%, RSS < 150 MiB)`);
}

/**
 * The baseline of bench/otlp.bench.ts, in its own process: what plain Node does with the
 * same request bytes and no agent around it: protobufjs decode, each log record to JSON,
 * appended to a file and fdatasync'ed once per batch (the file exporter's default
 * durability), in a tight loop. No network, no pipeline: a ceiling, not a rival.
 *
 *   node bench/otlp/baseline.ts <dir> <records per batch> <seconds>
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { otlpTypes } from '../../src/receivers/otlp/proto.ts';
import { requestBytes } from './workload.ts';

const [dir, batchText, secondsText] = process.argv.slice(2);
const bytes = requestBytes(Number(batchText));
const { ExportLogsServiceRequest } = otlpTypes();
const fd = openSync(join(dir!, 'baseline.jsonl'), 'a');
const until = performance.now() + Number(secondsText) * 1000;
const latencies: number[] = [];
let records = 0;
const started = performance.now();
while (performance.now() < until) {
  const t0 = performance.now();
  const request = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), { longs: String, bytes: String }) as {
    resourceLogs: { resource?: unknown; scopeLogs: { scope?: unknown; logRecords: Record<string, unknown>[] }[] }[];
  };
  let text = '';
  for (const rl of request.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const lr of sl.logRecords) {
        text += JSON.stringify({ ...lr, resource: rl.resource, scope: sl.scope }) + '\n';
        records++;
      }
    }
  }
  writeSync(fd, text);
  fdatasyncSync(fd);
  latencies.push(performance.now() - t0);
}
const seconds = (performance.now() - started) / 1000;
closeSync(fd);
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({
  rate: records / seconds,
  p50: latencies[Math.floor(latencies.length * 0.5)],
  p99: latencies[Math.floor(latencies.length * 0.99)],
  rssMiB: process.resourceUsage().maxRSS / 1024,
}));

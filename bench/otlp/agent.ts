/**
 * The agent side of bench/otlp.bench.ts, in its own process so its peak RSS is its own:
 * an otlp receiver (gRPC and HTTP, port 0) feeding the file exporter (fsync: batch, the
 * default durability). Talks to the parent over IPC: sends its addresses once started;
 * on "stop" stops the agent and reports peak RSS and lines written.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load.ts';
import { Agent } from '../../src/core/agent.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Registry } from '../../src/core/registry.ts';
import { fileExporterFactory } from '../../src/exporters/file/index.ts';
import { otlpReceiverFactory } from '../../src/receivers/otlp/index.ts';

const dir = process.argv[2]!;
const out = join(dir, 'out.jsonl');
const yaml = `
receivers:
  otlp: { protocols: { grpc: { endpoint: "127.0.0.1:0", max_request_size: 16MiB }, http: { endpoint: "127.0.0.1:0" } } }
exporters:
  file: { path: ${out}, rotation: { max_size: 0 } }
service:
  data_dir: ${join(dir, 'data')}
  pipelines: { logs: { receivers: [otlp], exporters: [file] } }
`;
const listening: Record<string, string> = {};
const logger = createLogger({ level: 'info', write: (line) => {
  const entry = JSON.parse(line) as Record<string, string>;
  if (entry.msg === 'otlp receiver listening') listening[entry.transport!] = entry.endpoint!;
  else if (entry.level === 'warn' || entry.level === 'error') process.stderr.write(line);
} });
const config = await loadConfigText(join(dir, 'custody.yaml'), yaml, { registry: new Registry([fileExporterFactory, otlpReceiverFactory]), cwd: dir, env: {} });
const agent = new Agent(config, { logger, telemetryServer: false });
await agent.start();
process.send!({ kind: 'ready', ...listening });
process.on('message', (message: { kind: string }) => {
  if (message.kind !== 'stop') return;
  void (async () => {
    await agent.stop();
    const maxRssMiB = process.resourceUsage().maxRSS / 1024; // before counting lines, which reads the file
    let lines = 0;
    for await (const chunk of createReadStream(out)) {
      for (let i = (chunk as Buffer).indexOf(10); i >= 0; i = (chunk as Buffer).indexOf(10, i + 1)) lines++;
    }
    process.send!({ kind: 'stopped', maxRssMiB, lines }, () => process.exit(0));
  })();
});

/** Test helpers for the otlp receiver: PKI, an in-process agent with its bound addresses, raw clients. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfigText } from '../../../src/config/load.ts';
import { Agent } from '../../../src/core/agent.ts';
import { createLogger } from '../../../src/core/logger.ts';
import * as grpc from '@grpc/grpc-js';
import { EXPORT_LOGS_PATH, otlpTypes } from '../../../src/receivers/otlp/proto.ts';
import { tempDir, testRegistry } from '../../helpers/agent.ts';
import { issue, makePki as makeSharedPki } from '../../helpers/certs.ts';

export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA and a client certificate it signed (must be refused). */
  otherCa: string;
  otherClientCert: string;
  otherClientKey: string;
}

/** The shared throwaway PKI (test/helpers/certs.ts) in a fresh directory. */
export async function makePki(): Promise<Pki> {
  const dir = await tempDir('custody-otlp-pki-');
  const p = makeSharedPki(dir);
  return {
    dir,
    ca: p.caCert,
    caKey: p.caKey,
    serverCert: p.serverCert,
    serverKey: p.serverKey,
    clientCert: p.clientCert,
    clientKey: p.clientKey,
    otherCa: p.rogueCaCert,
    otherClientCert: p.rogueClientCert,
    otherClientKey: p.rogueClientKey,
  };
}

/** A new server certificate from the PKI's CA (for rotation tests); returns its paths. */
export function issueServerCert(pki: Pki, name: string): { cert: string; key: string } {
  return issue(pki.dir, name, { cert: pki.ca, key: pki.caKey }, 'localhost');
}

export interface OtlpAgent {
  agent: Agent;
  dir: string;
  /** `host:port` the receiver bound, per transport. */
  grpc: string;
  http: string;
  out: string;
  /** The file exporter's records, parsed. */
  records(): Promise<Record<string, unknown>[]>;
  metrics(): Promise<string>;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * Starts an agent with `receivers.otlp` = `receiverYaml` (a YAML flow map) feeding the file
 * exporter (or `exportersYaml` / `pipelineExporters` when given).
 */
export async function startOtlpAgent(receiverYaml: string, options: {
  dir?: string;
  exportersYaml?: string;
  pipelineExporters?: string;
  service?: string;
} = {}): Promise<OtlpAgent> {
  const dir = options.dir ?? (await tempDir('custody-otlp-'));
  const out = join(dir, 'out.jsonl');
  const yaml = `
receivers:
  otlp: ${receiverYaml}
exporters: ${options.exportersYaml ?? `{ file: { path: ${JSON.stringify(out)} } }`}
service:
  data_dir: ${JSON.stringify(join(dir, 'data'))}
  ${options.service ?? ''}
  pipelines: { logs: { receivers: [otlp], exporters: [${options.pipelineExporters ?? 'file'}] } }
`;
  await writeFile(join(dir, 'custody.yaml'), yaml);
  const config = await loadConfigText(join(dir, 'custody.yaml'), yaml, { registry: testRegistry(), cwd: dir, env: {} });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const agent = new Agent(config, { logger, telemetryServer: false });
  await agent.start();
  const bound = (transport: string): string =>
    String(logs.find((l) => l.msg === 'otlp receiver listening' && l.transport === transport)?.endpoint ?? '');
  return {
    agent,
    dir,
    grpc: bound('grpc'),
    http: bound('http'),
    out,
    logs,
    async records() {
      let text = '';
      try {
        text = await readFile(out, 'utf8');
      } catch {
        return [];
      }
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    metrics: () => agent.telemetry.render(),
    stop: () => agent.stop(),
  };
}

/** Waits until `check` returns true (polling), or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A raw gRPC client for LogsService/Export that sends and returns bytes as they are. */
export function grpcRawClient(address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}) {
  const client = new grpc.Client(address, credentials, options);
  const identity = (b: Buffer): Buffer => b;
  return {
    client,
    call(body: Buffer, deadlineMs = 15_000): Promise<{ error?: grpc.ServiceError; response?: Buffer }> {
      return new Promise((resolve) => {
        client.makeUnaryRequest(EXPORT_LOGS_PATH, identity, identity, body, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
          resolve({ ...(error ? { error } : {}), ...(response ? { response } : {}) }));
      });
    },
    close: () => client.close(),
  };
}

/** A JSON request with the given log records (OTLP/JSON objects). */
export function jsonRequest(records: Record<string, unknown>[], resource: Record<string, unknown> = {}): string {
  return JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'test' }, logRecords: records }] }] });
}

/** Decodes a google.rpc.Status body (protobuf) with its RetryInfo delay, if any. */
export function decodeStatus(bytes: Uint8Array): { code: number; message: string; retryDelayMs?: number } {
  const { Status, RetryInfo } = otlpTypes();
  const status = Status.toObject(Status.decode(bytes), { longs: Number }) as { code?: number; message?: string; details?: { type_url: string; value: Uint8Array }[] };
  const out: { code: number; message: string; retryDelayMs?: number } = { code: status.code ?? 0, message: status.message ?? '' };
  const retry = status.details?.find((d) => d.type_url === 'type.googleapis.com/google.rpc.RetryInfo');
  if (retry) {
    const info = RetryInfo.toObject(RetryInfo.decode(retry.value), { longs: Number }) as { retryDelay?: { seconds?: number; nanos?: number } };
    out.retryDelayMs = (info.retryDelay?.seconds ?? 0) * 1000 + (info.retryDelay?.nanos ?? 0) / 1e6;
  }
  return out;
}

/**
 * The real OpenTelemetry JS SDK as the client, over mTLS, with each of its three OTLP log
 * exporters (gRPC, HTTP/JSON, HTTP/protobuf): every field that lands in the file exporter is
 * compared with what the application emitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, SeverityNumber, TraceFlags, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as HttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { makePki, startOtlpAgent, type OtlpAgent, type Pki } from './helpers.ts';

let pki: Pki;
let agent: OtlpAgent;

beforeAll(async () => {
  pki = await makePki();
  const tls = `{ cert_file: ${pki.serverCert}, key_file: ${pki.serverKey}, client_ca_file: ${pki.ca} }`;
  agent = await startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:0", tls: ${tls} }, http: { endpoint: "127.0.0.1:0", tls: ${tls} } } }`);
});

afterAll(async () => {
  await agent?.stop();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

type Exporters = Record<string, () => LogRecordExporter>;

function exporters(): Exporters {
  const ca = readFileSync(pki.ca);
  const cert = readFileSync(pki.clientCert);
  const key = readFileSync(pki.clientKey);
  const httpAgentOptions = { ca, cert, key };
  return {
    grpc: () => new GrpcExporter({ url: `https://${agent.grpc}`, credentials: grpc.credentials.createSsl(ca, key, cert) }),
    'grpc+gzip': () => new GrpcExporter({ url: `https://${agent.grpc}`, credentials: grpc.credentials.createSsl(ca, key, cert), compression: 'gzip' as never }),
    'http/json': () => new HttpJsonExporter({ url: `https://${agent.http}/v1/logs`, httpAgentOptions }),
    'http/protobuf': () => new HttpProtoExporter({ url: `https://${agent.http}/v1/logs`, httpAgentOptions }),
    'http/protobuf+gzip': () => new HttpProtoExporter({ url: `https://${agent.http}/v1/logs`, httpAgentOptions, compression: 'gzip' as never }),
  };
}

/** Emits the test records through a provider using `exporter`; returns once exported. */
async function emitAll(exporter: LogRecordExporter, runId: string): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'k8s.pod.name': 'api-0', 'run.id': runId, 'int.attr': 7 }),
    logRecordLimits: { attributeCountLimit: 12 },
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
  const logger = provider.getLogger('custody-test', '1.2.3', { attributes: { 'scope.attr': 'x' } });
  const spanContext = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    eventName: 'user.login',
    timestamp: [1763805600, 123456789],
    observedTimestamp: [1763805600, 200000000],
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: { user: 'alice', ok: true, tries: 3, ratio: 0.25, tags: ['a', 'b'], nested: { deep: { deeper: [1, { x: 'y' }] } }, nothing: null },
    attributes: {
      'event.category': 'authentication',
      'http.status_code': 401,
      ratio: 1.5,
      flag: false,
      list: ['x', 'y'],
      ints: [1, 2, 3],
      map: { k: 'v', n: { m: 1 } },
      raw: new Uint8Array([0, 1, 2, 255]),
    },
    context: spanContext,
  });
  logger.emit({ timestamp: [1763805601, 5], observedTimestamp: [1763805601, 6], severityNumber: SeverityNumber.INFO, body: 'héllo wörld ✓ 😀' });
  logger.emit({ timestamp: [1763805602, 0], observedTimestamp: [1763805602, 1], body: new Uint8Array([222, 173, 190, 239]) });
  logger.emit({ timestamp: [1763805603, 0], observedTimestamp: [1763805603, 1], body: 42, severityNumber: SeverityNumber.ERROR3 });
  logger.emit({
    timestamp: [1763805604, 0],
    observedTimestamp: [1763805604, 1],
    body: 3.25,
    attributes: Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`a${i}`, i])),
  });
  for (let i = 0; i < 150; i++) logger.emit({ timestamp: [1763805700, i], observedTimestamp: [1763805700, i], body: `line ${i}`, attributes: { i } });
  await provider.forceFlush();
  await provider.shutdown();
}

function expected(runId: string): Record<string, unknown>[] {
  const resource = { 'service.name': 'checkout', 'k8s.pod.name': 'api-0', 'run.id': runId, 'int.attr': 7 };
  const scope = { name: 'custody-test', version: '1.2.3', attributes: { 'scope.attr': 'x' } };
  return [
    {
      timestamp: '2025-11-22T10:00:00.123456789Z',
      observed_timestamp: '2025-11-22T10:00:00.200000000Z',
      severity_text: 'WARN',
      severity_number: 13,
      body: { user: 'alice', ok: true, tries: 3, ratio: 0.25, tags: ['a', 'b'], nested: { deep: { deeper: [1, { x: 'y' }] } }, nothing: null },
      attributes: {
        'event.category': 'authentication',
        'http.status_code': 401,
        ratio: 1.5,
        flag: false,
        list: ['x', 'y'],
        ints: [1, 2, 3],
        map: { k: 'v', n: { m: 1 } },
        raw: 'AAEC/w==',
        'event.name': 'user.login',
      },
      resource,
      scope,
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      trace_flags: 1,
    },
    { timestamp: '2025-11-22T10:00:01.000000005Z', observed_timestamp: '2025-11-22T10:00:01.000000006Z', severity_number: 9, body: 'héllo wörld ✓ 😀', resource, scope },
    { timestamp: '2025-11-22T10:00:02.000000000Z', observed_timestamp: '2025-11-22T10:00:02.000000001Z', body: '3q2+7w==', resource, scope },
    { timestamp: '2025-11-22T10:00:03.000000000Z', observed_timestamp: '2025-11-22T10:00:03.000000001Z', severity_number: 19, body: 42, resource, scope },
    {
      timestamp: '2025-11-22T10:00:04.000000000Z',
      observed_timestamp: '2025-11-22T10:00:04.000000001Z',
      body: 3.25,
      attributes: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`a${i}`, i])),
      resource,
      scope,
      dropped_attributes_count: 2,
    },
    ...Array.from({ length: 150 }, (_, i) => ({
      timestamp: `2025-11-22T10:01:40.${String(i).padStart(9, '0')}Z`,
      observed_timestamp: `2025-11-22T10:01:40.${String(i).padStart(9, '0')}Z`,
      body: `line ${i}`,
      attributes: { i },
      resource,
      scope,
    })),
  ];
}

describe('otlp receiver with the OpenTelemetry JS SDK over mTLS', () => {
  for (const name of ['grpc', 'grpc+gzip', 'http/json', 'http/protobuf', 'http/protobuf+gzip']) {
    it(`receives every field exactly from the ${name} exporter`, async () => {
      const runId = `run-${name}`;
      await emitAll(exporters()[name]!(), runId);
      const got = (await agent.records()).filter((r) => (r.resource as Record<string, unknown>)?.['run.id'] === runId);
      expect(got).toEqual(expected(runId));
      // Key order is the contract's, not the order fields arrived in.
      expect(Object.keys(got[0]!)).toEqual(['timestamp', 'observed_timestamp', 'severity_text', 'severity_number', 'body', 'attributes', 'resource', 'scope', 'trace_id', 'span_id', 'trace_flags']);
    });
  }

  it('counts requests and records per transport', async () => {
    const metrics = await agent.metrics();
    expect(metrics).toMatch(/custody_otlp_accepted_records_total\{receiver="otlp",transport="grpc"\} 310/);
    expect(metrics).toMatch(/custody_otlp_accepted_records_total\{receiver="otlp",transport="http"\} 465/);
    expect(metrics).toMatch(/custody_otlp_requests_total\{receiver="otlp",transport="http",outcome="success"\} [1-9]/);
    expect(metrics).toMatch(/custody_otlp_request_duration_seconds_count\{receiver="otlp",transport="grpc"\} [1-9]/);
    expect(metrics).toMatch(/custody_otlp_request_size_bytes_sum\{receiver="otlp",transport="http"\} [1-9]/);
  });
});

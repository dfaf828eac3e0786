/**
 * Acknowledgement and backpressure as the OTLP spec and the contract ask: a success answer
 * only once the records are durable; when the pipeline is full, UNAVAILABLE with RetryInfo
 * (gRPC) and 503 with Retry-After (HTTP); exporter failures are retryable; shutdown lets
 * requests in flight finish.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as HttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { memoryExporters } from '../../helpers/memory.ts';
import { decodeStatus, grpcRawClient, jsonRequest, startOtlpAgent, type OtlpAgent } from './helpers.ts';
import { encodeRequest } from './random-otlp.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gatedAgent(id: string, receiverExtra = '', service = 'max_inflight_records: 5') {
  const agent = await startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:0" }, http: { endpoint: "127.0.0.1:0" } }${receiverExtra} }`, {
    exportersYaml: `{ ${id}: {} }`,
    pipelineExporters: id,
    service,
  });
  const exporter = memoryExporters.get(id)!;
  let open!: () => void;
  exporter.gate = new Promise<void>((r) => (open = r));
  const rpc = grpcRawClient(agent.grpc);
  cleanups.push(async () => {
    open();
    rpc.close();
    await agent.stop();
  });
  return { agent, exporter, rpc, open: () => { exporter.gate = undefined; open(); } };
}

function records(n: number, tag: string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ body: { stringValue: `${tag}-${i}` } }));
}

async function postJson(address: string, body: string) {
  const res = await request(`http://${address}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const grpcRequest = (n: number, tag: string) => encodeRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: records(n, tag) }] }] });

describe('otlp receiver: acknowledgement and backpressure', () => {
  it('answers only once the exporter holds the records, and UNAVAILABLE / 503 + Retry-After while the pipeline is full', async () => {
    const { agent, exporter, rpc, open } = await gatedAgent('memory/bp1', ', admission_timeout: 300ms');
    let firstAnswered = false;
    const first = postJson(agent.http, jsonRequest(records(5, 'first'))).then((r) => {
      firstAnswered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(firstAnswered).toBe(false); // not acknowledged before the exporter took it

    const started = Date.now();
    const second = await postJson(agent.http, jsonRequest(records(1, 'second')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // waited admission_timeout for room
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    expect(JSON.parse(second.text)).toEqual({
      code: 14,
      message: 'the agent is at capacity; retry later',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }],
    });

    const viaGrpc = await rpc.call(grpcRequest(1, 'third'));
    expect(viaGrpc.error?.code).toBe(grpc.status.UNAVAILABLE);
    const details = viaGrpc.error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    expect(decodeStatus(details)).toEqual({ code: 14, message: 'the agent is at capacity; retry later', retryDelayMs: 1000 });

    open();
    expect((await first).status).toBe(200);
    expect(exporter.records.map((r) => r.body)).toEqual(['first-0', 'first-1', 'first-2', 'first-3', 'first-4']);
    const metrics = await agent.metrics();
    expect(metrics).toMatch(/custody_otlp_refused_records_total\{receiver="otlp",transport="http",reason="backpressure"\} 1/);
    expect(metrics).toMatch(/custody_otlp_refused_records_total\{receiver="otlp",transport="grpc",reason="backpressure"\} 1/);
    expect(metrics).toMatch(/custody_otlp_requests_total\{receiver="otlp",transport="grpc",outcome="unavailable"\} 1/);
  });

  it('lets the real SDK exporter retry on 503 + Retry-After until the pipeline has room, losing nothing', async () => {
    const { agent, exporter, open } = await gatedAgent('memory/bp2', ', admission_timeout: 200ms', 'max_inflight_records: 1');
    // Fill the pipeline so the SDK's request is throttled.
    const blocker = postJson(agent.http, jsonRequest(records(1, 'blocker')));
    await new Promise((r) => setTimeout(r, 100));
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'retry-test' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new HttpProtoExporter({ url: `http://${agent.http}/v1/logs`, timeoutMillis: 20_000 }) })],
    });
    provider.getLogger('t').emit({ body: 'from-sdk' });
    setTimeout(open, 1500);
    await provider.forceFlush();
    await provider.shutdown();
    expect((await blocker).status).toBe(200);
    expect(exporter.records.map((r) => r.body)).toEqual(['blocker-0', 'from-sdk']);
    expect(await agent.metrics()).toMatch(/custody_otlp_requests_total\{receiver="otlp",transport="http",outcome="unavailable"\} [1-9]/);
  });

  it('answers at once, without waiting, when max_inflight_bytes is held by requests in flight', async () => {
    const { agent, open } = await gatedAgent('memory/bp3', ', admission_timeout: 10s, max_inflight_bytes: 1KiB', 'max_inflight_records: 1000');
    const big = postJson(agent.http, jsonRequest(records(30, 'x'.repeat(40))));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const refused = await postJson(agent.http, jsonRequest(records(1, 'small')));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(Date.now() - started).toBeLessThan(2000);
    open();
    expect((await big).status).toBe(200);
  });

  it('answers UNAVAILABLE / 503 when an exporter fails (retryable), and never acknowledges', async () => {
    const agent = await startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:0" }, http: { endpoint: "127.0.0.1:0" } } }`, {
      exportersYaml: `{ memory/failing: { fail: true } }`,
      pipelineExporters: 'memory/failing',
    });
    const rpc = grpcRawClient(agent.grpc);
    cleanups.push(async () => {
      rpc.close();
      await agent.stop();
    });
    const res = await postJson(agent.http, jsonRequest(records(2, 'doomed')));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ code: 14, message: 'the records could not be stored durably; retry later' });
    const viaGrpc = await rpc.call(grpcRequest(2, 'doomed'));
    expect(viaGrpc.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(await agent.metrics()).toMatch(/custody_otlp_refused_records_total\{receiver="otlp",transport="http",reason="export_failed"\} 2/);
  });

  it('on shutdown stops listening, lets a request in flight finish, then stops', async () => {
    const { agent, exporter, rpc, open } = await gatedAgent('memory/bp4');
    const inflight = postJson(agent.http, jsonRequest(records(2, 'inflight')));
    const inflightGrpc = rpc.call(grpcRequest(1, 'inflight-grpc'));
    await new Promise((r) => setTimeout(r, 150));
    let stopped = false;
    const stopping = agent.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(stopped).toBe(false);
    await expect(postJson(agent.http, jsonRequest(records(1, 'late')))).rejects.toThrow(/ECONNREFUSED|other side closed|socket/i);
    open();
    expect((await inflight).status).toBe(200);
    expect((await inflightGrpc).error).toBeUndefined();
    await stopping;
    expect(exporter.records.map((r) => r.body).sort()).toEqual(['inflight-0', 'inflight-1', 'inflight-grpc-0']);
  });

  it('bounds shutdown by shutdown_timeout when a request never completes', async () => {
    const { agent } = await gatedAgent('memory/bp5', ', shutdown_timeout: 300ms', 'shutdown_timeout: 500ms\n  max_inflight_records: 5');
    const stuck = postJson(agent.http, jsonRequest(records(1, 'stuck'))).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await agent.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await stuck).toBeInstanceOf(Error); // the connection was closed, never answered 200
  });
});

/**
 * Bad input over the network: every kind gets a clear error status and message, and the
 * receiver keeps serving (each test ends by checking a valid request still lands).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { decodeStatus, grpcRawClient, jsonRequest, startOtlpAgent, type OtlpAgent } from './helpers.ts';
import { deepKvlistRequest, deepJsonRequest } from './nesting.ts';
import { encodeRequest, randomRequest, rng } from './random-otlp.ts';

let agent: OtlpAgent;
let rpc: ReturnType<typeof grpcRawClient>;

beforeAll(async () => {
  agent = await startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:0" }, http: { endpoint: "127.0.0.1:0" } } }`);
  rpc = grpcRawClient(agent.grpc);
});

afterAll(async () => {
  rpc?.close();
  await agent?.stop();
});

async function post(body: Buffer | string | Readable, contentType: string, headers: Record<string, string> = {}, path = '/v1/logs') {
  const res = await request(`http://${agent.http}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, bytes, text: bytes.toString() };
}

/** A fresh marker record must still get through, on both transports. */
async function stillServing(): Promise<void> {
  const marker = `alive-${Math.random()}`;
  const http = await post(jsonRequest([{ body: { stringValue: marker } }]), 'application/json');
  expect(http.status).toBe(200);
  const viaGrpc = await rpc.call(encodeRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: marker + '-grpc' } }] }] }] }));
  expect(viaGrpc.error).toBeUndefined();
  const bodies = (await agent.records()).map((r) => r.body);
  expect(bodies).toContain(marker);
  expect(bodies).toContain(marker + '-grpc');
}

describe('otlp receiver: bad input over HTTP', () => {
  it('answers garbage protobuf with 400 and a google.rpc.Status in protobuf', async () => {
    const res = await post(Buffer.from('\x07\xff garbage \x00\x01'), 'application/x-protobuf');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(res.bytes)).toMatchObject({ code: 3, message: expect.stringMatching(/invalid protobuf/) });
    await stillServing();
  });

  it('answers a truncated protobuf request with 400', async () => {
    const bytes = encodeRequest(randomRequest(rng(3), 5, 2));
    const res = await post(bytes.subarray(0, Math.floor(bytes.length / 2) + 1), 'application/x-protobuf');
    expect(res.status).toBe(400);
    expect(decodeStatus(res.bytes).message).toMatch(/invalid protobuf: .* at byte \d+/);
    await stillServing();
  });

  it('answers malformed JSON with 400 and a JSON Status naming the problem', async () => {
    const res = await post('{"resourceLogs": [', 'application/json');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.text)).toMatchObject({ code: 3, message: expect.stringMatching(/^invalid JSON/) });
    const typed = await post(jsonRequest([{ severityNumber: 'very' }]), 'application/json');
    expect(JSON.parse(typed.text).message).toMatch(/resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.severityNumber/);
    await stillServing();
  });

  it('refuses a 100 MiB body with 413 without reading it, declared or streamed', async () => {
    const big = Buffer.alloc(100 * 1024 * 1024, 0x41);
    let started = Date.now();
    const declared = await post(big, 'application/x-protobuf');
    expect(declared.status).toBe(413);
    expect(decodeStatus(declared.bytes).message).toMatch(/over the limit of 20971520/);
    expect(Date.now() - started).toBeLessThan(10_000);
    started = Date.now();
    const chunks = function* () {
      for (let i = 0; i < 100; i++) yield Buffer.alloc(1024 * 1024, 0x41);
    };
    const streamed = await post(Readable.from(chunks()), 'application/json');
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text)).toMatchObject({ code: 8, message: expect.stringMatching(/over the limit/) });
    await stillServing();
  });

  it('refuses a gzip bomb once its decompressed size passes the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await post(bomb, 'application/x-protobuf', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(decodeStatus(res.bytes).message).toMatch(/decompressed request body is over the limit/);
    const corrupt = await post(Buffer.from('not gzip at all'), 'application/json', { 'content-encoding': 'gzip' });
    expect(corrupt.status).toBe(400);
    expect(JSON.parse(corrupt.text).message).toMatch(/does not decompress/);
    await stillServing();
  });

  it('answers deeply nested JSON with 400 quickly, whether absurdly or just too deep', async () => {
    const started = Date.now();
    const absurd = await post('['.repeat(5_000_000), 'application/json');
    expect(absurd.status).toBe(400);
    expect(JSON.parse(absurd.text).message).toMatch(/nested deeper than 416 levels/);
    expect(Date.now() - started).toBeLessThan(5000);
    const tooDeep = await post(deepJsonRequest(101), 'application/json');
    expect(tooDeep.status).toBe(400);
    expect(JSON.parse(tooDeep.text).message).toMatch(/1 log record\(s\) rejected: .*nested deeper than 100 levels/);
    const fine = await post(deepJsonRequest(100), 'application/json');
    expect(fine.status).toBe(200);
    await stillServing();
  });

  it('answers partly bad requests 200 with partialSuccess, in the request encoding', async () => {
    const json = await post(jsonRequest([{ traceId: 'nothex', body: { stringValue: 'bad' } }, { body: { stringValue: 'good-partial' } }]), 'application/json');
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toEqual({ partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/logRecords\[0\]: trace_id must be 32 hex digits/) } });
    const proto = await post(encodeRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ spanId: Buffer.alloc(3, 1) }, { body: { stringValue: 'good-partial-2' } }] }] }] }), 'application/x-protobuf');
    expect(proto.status).toBe(200);
    const { ExportLogsServiceResponse } = (await import('../../../src/receivers/otlp/proto.ts')).otlpTypes();
    expect(ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(proto.bytes), { longs: Number })).toEqual({
      partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringMatching(/span_id must be 8 bytes, got 3/) },
    });
    const bodies = (await agent.records()).map((r) => r.body);
    expect(bodies).toContain('good-partial');
    expect(bodies).toContain('good-partial-2');
    expect(bodies).not.toContain('bad');
  });

  it('answers wrong paths, methods and media types with 404, 405 and 415', async () => {
    expect((await post('{}', 'application/json', {}, '/v1/traces')).status).toBe(404);
    const get = await request(`http://${agent.http}/v1/logs`);
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    await get.body.dump();
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.text).toMatch(/application\/x-protobuf or application\/json/);
    const lz4 = await post('{}', 'application/json', { 'content-encoding': 'lz4' });
    expect(lz4.status).toBe(415);
    expect(lz4.text).toMatch(/unsupported Content-Encoding "lz4"/);
    await stillServing();
  });

  it('accepts every supported Content-Encoding', async () => {
    const zlib = await import('node:zlib');
    const body = (tag: string) => Buffer.from(jsonRequest([{ body: { stringValue: tag } }]));
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync, zstd: zlib.zstdCompressSync, identity: (b) => b,
    };
    for (const [coding, encode] of Object.entries(encoders)) {
      const res = await post(encode(body(`enc-${coding}`)), 'application/json', { 'content-encoding': coding });
      expect(res.status, coding).toBe(200);
    }
    const bodies = (await agent.records()).map((r) => r.body);
    for (const coding of Object.keys(encoders)) expect(bodies).toContain(`enc-${coding}`);
  });
});

describe('otlp receiver: bad input over gRPC', () => {
  it('answers garbage with INVALID_ARGUMENT and a message', async () => {
    const { error } = await rpc.call(Buffer.from('\x07\xff garbage'));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/invalid protobuf/);
    await stillServing();
  });

  it('answers a message over max_request_size with RESOURCE_EXHAUSTED', async () => {
    const { error } = await rpc.call(Buffer.alloc(5 * 1024 * 1024, 0));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await stillServing();
  });

  it('applies max_request_size after decompression (a compressed bomb is refused)', async () => {
    const gzipClient = grpcRawClient(agent.grpc, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 /* gzip */ });
    const { error } = await gzipClient.call(Buffer.alloc(5 * 1024 * 1024, 0));
    gzipClient.close();
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await stillServing();
  });

  it('refuses a small message that would decode into millions of records (max_records_per_request)', async () => {
    // 2,000,000 empty log records in under 4 MiB: two bytes each on the wire.
    const records = Buffer.alloc(2_000_000 * 2);
    for (let i = 0; i < records.length; i += 2) records[i] = 0x12; // ScopeLogs.log_records, length 0
    const varint = (n: number): number[] => { const out = []; while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; } out.push(n); return out; };
    const resourceLogs = Buffer.concat([Buffer.from([0x12, ...varint(records.length)]), records]); // ResourceLogs.scope_logs
    const request = Buffer.concat([Buffer.from([0x0a, ...varint(resourceLogs.length)]), resourceLogs]);
    const started = Date.now();
    const { error } = await rpc.call(request);
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/more than 100000 log records/);
    expect(Date.now() - started).toBeLessThan(5000);
    const json = await post(jsonRequest(Array.from({ length: 100_001 }, () => ({}))), 'application/json');
    expect(json.status).toBe(413);
    expect(JSON.parse(json.text).message).toMatch(/more than 100000 log records/);
    await stillServing();
  });

  it('answers UNIMPLEMENTED for signals it does not serve', async () => {
    const { error } = await new Promise<{ error?: grpc.ServiceError }>((resolve) => {
      rpc.client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0),
        (e) => resolve(e ? { error: e } : {}));
    });
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('refuses a 200,000-level nested value without exhausting the stack', async () => {
    const bytes = deepKvlistRequest(200_000);
    expect(bytes.length).toBeLessThan(4 * 1024 * 1024);
    const { error } = await rpc.call(bytes);
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/nested deeper than 100 levels/);
    await stillServing();
  });

  it('answers partial success on the Export response', async () => {
    const { response, error } = await rpc.call(encodeRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: Buffer.alloc(4, 1) }, { body: { stringValue: 'grpc-partial' } }] }] }] }));
    expect(error).toBeUndefined();
    const { ExportLogsServiceResponse } = (await import('../../../src/receivers/otlp/proto.ts')).otlpTypes();
    expect(ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(response!), { longs: Number })).toMatchObject({ partialSuccess: { rejectedLogRecords: 1 } });
  });

  it('keeps serving through 400 random and mutated payloads on both transports', async () => {
    const r = rng(99);
    const valid = encodeRequest(randomRequest(rng(5), 4, 3));
    const statuses = new Set<number>();
    const codes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const payload = Buffer.from(valid);
      if (i % 2) {
        for (let k = 0; k < 1 + Math.floor(r() * 8); k++) payload[Math.floor(r() * payload.length)] = Math.floor(r() * 256);
      } else {
        for (let k = 0; k < payload.length; k++) payload[k] = Math.floor(r() * 256);
      }
      const http = await post(payload.subarray(0, Math.floor(r() * payload.length) + 1), 'application/x-protobuf');
      statuses.add(http.status);
      const viaGrpc = await rpc.call(payload);
      codes.add(viaGrpc.error?.code ?? 0);
    }
    expect([...statuses].every((s) => s === 200 || s === 400)).toBe(true);
    expect([...codes].every((c) => c === grpc.status.OK || c === grpc.status.INVALID_ARGUMENT)).toBe(true);
    expect(statuses.has(400)).toBe(true);
    await stillServing();
    const metrics = await agent.metrics();
    expect(metrics).toMatch(/custody_otlp_requests_total\{receiver="otlp",transport="grpc",outcome="invalid"\} [1-9]/);
    expect(metrics).toMatch(/custody_otlp_requests_total\{receiver="otlp",transport="http",outcome="too_large"\} [1-9]/);
  });
});

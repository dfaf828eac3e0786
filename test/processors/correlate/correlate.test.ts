import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { correlateProcessorFactory } from '../../../src/processors/correlate/index.ts';
import type { LogRecord } from '../../../src/core/record.ts';
import { configIssues, harness } from '../schema/harness.ts';
import { startAgent, tempDir } from '../../helpers/agent.ts';
import { memoryReceivers } from '../../helpers/memory.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const TP = `00-${TRACE}-${SPAN}-01`;

const ids = (r: LogRecord) => ({ trace_id: r.trace_id, span_id: r.span_id, trace_flags: r.trace_flags });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('correlate: extraction', () => {
  it('reads a traceparent attribute, a traceparent body field, and one embedded in a text line', async () => {
    const h = await harness(correlateProcessorFactory, { traceparent_fields: ['traceparent', 'headers.traceparent'] });
    const out = await h.run([
      { attributes: { traceparent: TP } },
      { body: { headers: { traceparent: TP.toUpperCase() } } },
      { body: `GET /api 200 traceparent=${TP} 12ms` },
      { body: `[${TP.replace(/-01$/, '-00')}] user login` },
    ]);
    expect(out.map(ids)).toEqual([
      { trace_id: TRACE, span_id: SPAN, trace_flags: 1 },
      { trace_id: TRACE, span_id: SPAN, trace_flags: 1 },
      { trace_id: TRACE, span_id: SPAN, trace_flags: 1 },
      { trace_id: TRACE, span_id: SPAN, trace_flags: 0 },
    ]);
    expect(await h.metrics()).toMatch(/custody_correlate_extracted_records_total\{processor="correlate",pipeline="logs",source="traceparent"\} 2/);
    expect(await h.metrics()).toMatch(/custody_correlate_extracted_records_total\{processor="correlate",pipeline="logs",source="text"\} 2/);
  });

  it('reads trace_id/traceId/span_id/spanId fields in body and attributes, and ECS trace.id', async () => {
    const h = await harness(correlateProcessorFactory, {});
    const out = await h.run([
      { body: { trace_id: TRACE, span_id: SPAN, trace_flags: '01' } },
      { attributes: { traceId: TRACE.toUpperCase(), spanId: SPAN } },
      { body: { trace: { id: TRACE }, span: { id: SPAN } } },
      { attributes: { trace_id: TRACE }, body: { spanId: SPAN, traceFlags: 1 } },
    ]);
    expect(out.map(ids)).toEqual([
      { trace_id: TRACE, span_id: SPAN, trace_flags: 1 },
      { trace_id: TRACE, span_id: SPAN, trace_flags: undefined },
      { trace_id: TRACE, span_id: SPAN, trace_flags: undefined },
      { trace_id: TRACE, span_id: SPAN, trace_flags: 1 },
    ]);
    // Source fields stay as they were.
    expect(out[1]!.attributes).toEqual({ traceId: TRACE.toUpperCase(), spanId: SPAN });
  });

  it('finds key=value ids in text lines (logfmt and JSON fragments)', async () => {
    const h = await harness(correlateProcessorFactory, {});
    const out = await h.run([
      { body: `level=info msg="paid" trace_id=${TRACE} span_id=${SPAN} trace_flags=01` },
      { body: `2026-11-22 INFO payment {"traceId": "${TRACE}", "spanId": "${SPAN}"}` },
      { body: `x_trace_id=${TRACE}` },
    ]);
    expect(out.map(ids)).toEqual([
      { trace_id: TRACE, span_id: SPAN, trace_flags: 1 },
      { trace_id: TRACE, span_id: SPAN, trace_flags: undefined },
      { trace_id: undefined, span_id: undefined, trace_flags: undefined },
    ]);
  });

  it.each([
    ['an all-zero trace id', { body: { trace_id: '0'.repeat(32), span_id: SPAN } }],
    ['a short trace id', { body: { trace_id: TRACE.slice(1) } }],
    ['a long trace id', { body: { trace_id: TRACE + '0' } }],
    ['a non-hex trace id', { body: { trace_id: TRACE.slice(0, 31) + 'g' } }],
    ['a traceparent with version ff', { attributes: { traceparent: `ff-${TRACE}-${SPAN}-01` } }],
    ['a version-00 traceparent with extra fields', { attributes: { traceparent: `${TP}-extra` } }],
    ['a traceparent with an all-zero span', { attributes: { traceparent: `00-${TRACE}-${'0'.repeat(16)}-01` } }],
    ['a traceparent with an all-zero trace', { body: `traceparent: 00-${'0'.repeat(32)}-${SPAN}-01` }],
    ['a trace id that is a number', { body: { trace_id: 123 } }],
  ] as [string, LogRecord][])('rejects %s', async (_name, record) => {
    const h = await harness(correlateProcessorFactory, {});
    const [out] = await h.run([structuredClone(record)]);
    expect(out!.trace_id).toBeUndefined();
    expect(out!.span_id).toBeUndefined();
  });

  it('keeps a valid trace id with an invalid span id, without the span', async () => {
    const h = await harness(correlateProcessorFactory, {});
    const [out] = await h.run([{ body: { trace_id: TRACE, span_id: '0'.repeat(16) } }]);
    expect(ids(out!)).toEqual({ trace_id: TRACE, span_id: undefined, trace_flags: undefined });
  });

  it('leaves a record that already has a trace alone (and lowercases an upper-case one)', async () => {
    const h = await harness(correlateProcessorFactory, {});
    const other = 'a'.repeat(32);
    const out = await h.run([
      { trace_id: TRACE, span_id: SPAN, body: { trace_id: other } },
      { trace_id: TRACE.toUpperCase(), body: 'x' },
    ]);
    expect(ids(out[0]!)).toEqual({ trace_id: TRACE, span_id: SPAN, trace_flags: undefined });
    expect(out[1]!.trace_id).toBe(TRACE);
  });

  it('configured fields replace the defaults; scan_text: false leaves text alone', async () => {
    const h = await harness(correlateProcessorFactory, { trace_id_fields: ['correlation.trace'], span_id_fields: [], scan_text: false });
    const out = await h.run([
      { body: { correlation: { trace: TRACE } } },
      { body: { trace_id: TRACE } },
      { body: `traceparent=${TP}` },
    ]);
    expect(out.map((r) => r.trace_id)).toEqual([TRACE, undefined, undefined]);
  });
});

describe('correlate: request-id joins', () => {
  it('gives a request-id-only record the trace seen with that request id, and the reverse', async () => {
    const h = await harness(correlateProcessorFactory, {});
    // A service's audit line carries both ids.
    await h.run([{ body: { event: { kind: 'audit' }, request_id: 'req-1', trace_id: TRACE, span_id: SPAN, trace_flags: 1 } }]);
    const out = await h.run([
      // The gateway's access log line only has the request id (as a header attribute name).
      { body: 'GET /invoices 200', attributes: { 'x-request-id': 'req-1' } },
      // Another service's line has the trace but no request id.
      { body: { msg: 'cache miss' }, trace_id: TRACE },
      { body: 'GET /other 200', attributes: { 'x-request-id': 'req-unknown' } },
    ]);
    expect(ids(out[0]!)).toEqual({ trace_id: TRACE, span_id: undefined, trace_flags: 1 });
    expect(out[1]!.attributes).toEqual({ request_id: 'req-1' });
    expect(out[2]!.trace_id).toBeUndefined();
    const metrics = await h.metrics();
    expect(metrics).toMatch(/custody_correlate_joined_records_total\{processor="correlate",pipeline="logs",direction="trace_id"\} 1/);
    expect(metrics).toMatch(/custody_correlate_joined_records_total\{processor="correlate",pipeline="logs",direction="request_id"\} 1/);
    expect(metrics).toMatch(/custody_correlate_misses_total\{processor="correlate",pipeline="logs"\} 1/);
    expect(metrics).toMatch(/custody_correlate_entries\{processor="correlate",pipeline="logs"\} 1/);
  });

  it('joins within one batch, in record order', async () => {
    const h = await harness(correlateProcessorFactory, {});
    const out = await h.run([
      { body: { request_id: 'r', traceparent: TP } },
      { body: { request_id: 'r' } },
    ]);
    expect(out[1]!.trace_id).toBe(TRACE);
  });

  it('forgets a pairing once the window has passed', async () => {
    const h = await harness(correlateProcessorFactory, { window: '100ms' });
    await h.run([{ body: { request_id: 'r', trace_id: TRACE } }]);
    await sleep(300);
    const [late] = await h.run([{ body: { request_id: 'r' } }]);
    expect(late!.trace_id).toBeUndefined();
    expect(await h.metrics()).toMatch(/custody_correlate_misses_total\{[^}]*\} 1/);
  });

  it('remembers at most max_entries request ids, forgetting the least recently seen', async () => {
    const h = await harness(correlateProcessorFactory, { max_entries: 2 });
    const t = (n: number) => n.toString(16).padStart(32, '0');
    await h.run([
      { body: { request_id: 'a', trace_id: t(1) } },
      { body: { request_id: 'b', trace_id: t(2) } },
      { body: { request_id: 'a', trace_id: t(4) } }, // a now maps to another trace: moves to the back
      { body: { request_id: 'c', trace_id: t(3) } }, // evicts b
    ]);
    const out = await h.run([{ body: { request_id: 'a' } }, { body: { request_id: 'b' } }, { body: { request_id: 'c' } }]);
    expect(out.map((r) => r.trace_id)).toEqual([t(4), undefined, t(3)]);
    // byRequest evicted b; byTrace (t1, t2, t4, t3) evicted t1 and t2.
    expect(await h.metrics()).toMatch(/custody_correlate_evicted_total\{[^}]*\} 3/);
  });

  it('takes configured request id fields, header-style arrays, numbers; [] turns joins off', async () => {
    const h = await harness(correlateProcessorFactory, { request_id_fields: ['http.request.header.x-request-id', 'rid'], request_id_attribute: 'rid' });
    await h.run([{ attributes: { 'http.request.header.x-request-id': ['abc'] }, trace_id: TRACE }, { body: { rid: 42, trace_id: 'b'.repeat(32) } }]);
    const out = await h.run([{ attributes: { 'http.request.header.x-request-id': ['abc'] } }, { body: { rid: 42 } }, { trace_id: TRACE }]);
    expect(out.map((r) => r.trace_id)).toEqual([TRACE, 'b'.repeat(32), TRACE]);
    expect(out[2]!.attributes).toEqual({ rid: 'abc' });

    const off = await harness(correlateProcessorFactory, { request_id_fields: [] });
    await off.run([{ body: { request_id: 'r', trace_id: TRACE } }]);
    const [none] = await off.run([{ body: { request_id: 'r' } }]);
    expect(none!.trace_id).toBeUndefined();
  });

  it('refuses a zero window or zero max_entries while joining', () => {
    expect(configIssues(correlateProcessorFactory, { window: 0 })).toEqual([expect.stringMatching(/^window: must be longer than 0/)]);
    expect(configIssues(correlateProcessorFactory, { max_entries: 0 })).toEqual([expect.stringMatching(/^max_entries: must be at least 1/)]);
    expect(configIssues(correlateProcessorFactory, { window: 0, request_id_fields: [] })).toEqual([]);
    expect(configIssues(correlateProcessorFactory, { window: 'soon' })).toEqual(['window: must be a duration such as 200ms, 10s or 5m']);
    expect(configIssues(correlateProcessorFactory, { join: true })).toEqual(['join: unknown key "join"']);
  });
});

describe('correlate in a pipeline', () => {
  it('exports trace ids at the top level of the record', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/corr: {} }
processors:
  correlate:
    request_id_fields: [request_id, x-request-id]
    window: 5m
    max_entries: 100000
exporters: { file: { path: ${join(dir, 'out.jsonl')} } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/corr], processors: [correlate], exporters: [file] } }
`, { cwd: dir });
    await memoryReceivers.get('memory/corr')!.push([{ body: `msg=login traceparent=${TP}`, attributes: { 'x-request-id': 'q' } }, { body: 'access', attributes: { 'x-request-id': 'q' } }]);
    const lines = (await readFile(join(dir, 'out.jsonl'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(`{"body":"msg=login traceparent=${TP}","attributes":{"x-request-id":"q"},"trace_id":"${TRACE}","span_id":"${SPAN}","trace_flags":1}`);
    expect(lines[1]).toBe(`{"body":"access","attributes":{"x-request-id":"q"},"trace_id":"${TRACE}","trace_flags":1}`);
    await agent.stop();
  });
});

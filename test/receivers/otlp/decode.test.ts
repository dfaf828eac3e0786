/**
 * The two request decoders. The hand-written protobuf decoder is checked against protobufjs
 * (loaded from the official .proto files) on the official example and on random messages;
 * both decoders are checked on the mapping rules one by one.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { recordToJson } from '../../../src/core/record.ts';
import { decodeJsonRequest } from '../../../src/receivers/otlp/decode-json.ts';
import { decodeProtobufRequest } from '../../../src/receivers/otlp/decode-protobuf.ts';
import { OtlpInvalidRequestError, OtlpRequestTooLargeError } from '../../../src/receivers/otlp/errors.ts';
import { encodeRequest, randomRequest, referenceDecode, rng } from './random-otlp.ts';

const options = { maxDepth: 100, receivedAt: '2026-01-01T00:00:00.000000000Z' };
const EXAMPLE = readFileSync(new URL('./fixtures/logs.json', import.meta.url));

/** The official OTLP/JSON example (opentelemetry-proto examples/logs.json) as the contract's record. */
const EXAMPLE_RECORD = {
  timestamp: '2018-12-13T14:51:00.300000000Z',
  observed_timestamp: '2018-12-13T14:51:00.300000000Z',
  severity_text: 'Information',
  severity_number: 10,
  body: 'Example log record',
  attributes: {
    'string.attribute': 'some string',
    'boolean.attribute': true,
    'int.attribute': 10,
    'double.attribute': 637.704,
    'array.attribute': ['many', 'values'],
    'map.attribute': { 'some.map.key': 'some value' },
  },
  resource: { 'service.name': 'my.service' },
  scope: { name: 'my.library', version: '1.0.0', attributes: { 'my.scope.attribute': 'some scope attribute' } },
  trace_id: '5b8efff798038103d269b633813fc60c',
  span_id: 'eee19b7ec3c1b174',
  trace_flags: 0,
};

/** OTLP/JSON object -> protobufjs object (hex ids to bytes). */
function jsonToProtoObject(json: unknown): Record<string, unknown> {
  const copy = structuredClone(json) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
  for (const rl of copy.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
    for (const k of ['traceId', 'spanId']) if (typeof lr[k] === 'string') lr[k] = Buffer.from(lr[k], 'hex');
  }
  return copy as unknown as Record<string, unknown>;
}

function oneRecord(record: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { resourceLogs: [{ scopeLogs: [{ logRecords: [record] }], ...extra }] };
}

function protoRecords(record: Record<string, unknown>) {
  return decodeProtobufRequest(encodeRequest(oneRecord(record)), options);
}

function jsonRecords(record: Record<string, unknown>) {
  return decodeJsonRequest(Buffer.from(JSON.stringify(oneRecord(record))), options);
}

describe('OTLP decoders: the official example', () => {
  it('maps the OTLP/JSON example to the contract record', () => {
    expect(decodeJsonRequest(EXAMPLE, options)).toEqual({ records: [EXAMPLE_RECORD], rejected: 0, errors: [] });
  });

  it('maps the same example sent as protobuf identically', () => {
    const bytes = encodeRequest(jsonToProtoObject(JSON.parse(EXAMPLE.toString())));
    expect(decodeProtobufRequest(bytes, options)).toEqual({ records: [EXAMPLE_RECORD], rejected: 0, errors: [] });
  });
});

describe('protobuf decoder against protobufjs (reference codec from the official .proto)', () => {
  it('agrees on 2,000 random requests (all AnyValue kinds, int64 and double extremes, ids, nesting)', () => {
    let records = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const bytes = encodeRequest(randomRequest(rng(seed)));
      const fast = decodeProtobufRequest(bytes, options);
      const ref = referenceDecode(bytes, options);
      // Compared as the contract writes them (JSON has no -0, and key order is the contract's).
      const lines = (d: typeof fast) => ({ seed, lines: d.records.map(recordToJson), rejected: d.rejected, errors: d.errors });
      expect(lines(fast)).toEqual(lines(ref));
      records += fast.records.length;
    }
    expect(records).toBeGreaterThan(5000);
  });

  it('reads fields in any order, skips unknown fields of every wire type, and lets the last singular field win', () => {
    const w = protobuf.Writer.create();
    // LogRecord, fields written backwards, with unknowns and a repeated severity_text.
    const rec = protobuf.Writer.create();
    rec.uint32((99 << 3) | 0).uint64(123);               // unknown varint
    rec.uint32((98 << 3) | 1).fixed64(7);                // unknown fixed64
    rec.uint32((97 << 3) | 2).bytes(Buffer.from('zz'));  // unknown bytes
    rec.uint32((96 << 3) | 5).fixed32(9);                // unknown fixed32
    rec.uint32((10 << 3) | 2).bytes(Buffer.from('00f067aa0ba902b7', 'hex'));
    rec.uint32((9 << 3) | 2).bytes(Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex'));
    rec.uint32((8 << 3) | 5).fixed32(0x101);             // trace flags live in the low byte
    rec.uint32((5 << 3) | 2).fork().uint32((1 << 3) | 2).string('body').ldelim();
    rec.uint32((3 << 3) | 2).string('first');
    rec.uint32((3 << 3) | 2).string('second');
    rec.uint32((2 << 3) | 0).int32(17);
    rec.uint32((1 << 3) | 1).fixed64(1_000_000_000);
    const scopeLogs = protobuf.Writer.create();
    scopeLogs.uint32((2 << 3) | 2).bytes(rec.finish());
    scopeLogs.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('late-scope').ldelim(); // scope after its records
    const resourceLogs = protobuf.Writer.create();
    resourceLogs.uint32((2 << 3) | 2).bytes(scopeLogs.finish());
    resourceLogs.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).fork()
      .uint32((1 << 3) | 2).string('service.name').uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).string('svc').ldelim()
      .ldelim().ldelim(); // resource after its scopes
    w.uint32((1 << 3) | 2).bytes(resourceLogs.finish());
    w.uint32((1000 << 3) | 2).bytes(Buffer.from('ignored'));
    const { records } = decodeProtobufRequest(w.finish(), options);
    expect(records).toEqual([{
      timestamp: '1970-01-01T00:00:01.000000000Z',
      observed_timestamp: options.receivedAt,
      severity_text: 'second',
      severity_number: 17,
      body: 'body',
      resource: { 'service.name': 'svc' },
      scope: { name: 'late-scope' },
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      trace_flags: 1,
    }]);
  });

  it('refuses malformed wire data with INVALID_ARGUMENT-class errors naming the problem', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['garbage', Buffer.from('this is not protobuf'), /invalid protobuf/],
      ['length past the end', Buffer.from([0x0a, 0x05, 0x01]), /runs past the end/],
      ['field number 0', Buffer.from([0x00, 0x01]), /field number 0/],
      ['wrong wire type for resource_logs', Buffer.from([0x08, 0x01]), /wire type 0, expected 2/],
      ['group wire type', Buffer.from([0x13]), /unsupported wire type 3/],
      ['endless varint', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /varint longer than 10 bytes/],
    ];
    for (const [name, bytes, message] of cases) {
      expect(() => decodeProtobufRequest(bytes, options), name).toThrow(OtlpInvalidRequestError);
      expect(() => decodeProtobufRequest(bytes, options), name).toThrow(message);
    }
  });

  it('treats every truncation of a valid request as either a shorter valid request or an invalid one', () => {
    const bytes = encodeRequest(randomRequest(rng(7), 3, 3));
    for (let n = 0; n < bytes.length; n++) {
      try {
        decodeProtobufRequest(bytes.subarray(0, n), options);
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpInvalidRequestError);
      }
    }
  });
});

describe('OTLP mapping rules (both encodings)', () => {
  const both = (record: Record<string, unknown>, jsonRecord: Record<string, unknown> = record) => [protoRecords(record), jsonRecords(jsonRecord)];

  it('writes 64-bit integers as numbers when safe and as decimal strings beyond ±2^53', () => {
    const values = ['9007199254740991', '-9007199254740991', '9007199254740992', '-9223372036854775808', '9223372036854775807', '-1', '0'];
    const record = { attributes: values.map((v, i) => ({ key: `i${i}`, value: { intValue: v } })) };
    for (const result of both(record)) {
      expect(result.records[0]!.attributes).toEqual({
        i0: 9007199254740991, i1: -9007199254740991, i2: '9007199254740992', i3: '-9223372036854775808', i4: '9223372036854775807', i5: -1, i6: 0,
      });
    }
    // OTLP/JSON may also send safe integers as numbers.
    expect(jsonRecords({ body: { intValue: 12 } }).records[0]!.body).toBe(12);
  });

  it('writes doubles as numbers and NaN / ±Infinity as strings; bytes as base64; empty values as null', () => {
    const proto = protoRecords({
      body: { kvlistValue: { values: [
        { key: 'nan', value: { doubleValue: NaN } },
        { key: 'inf', value: { doubleValue: Infinity } },
        { key: 'ninf', value: { doubleValue: -Infinity } },
        { key: 'half', value: { doubleValue: 0.5 } },
        { key: 'bytes', value: { bytesValue: Buffer.from([0xde, 0xad, 0xbe, 0xef]) } },
        { key: 'empty', value: {} },
        { key: 'novalue' },
        { key: 'list', value: { arrayValue: { values: [{}, { boolValue: false }, { stringValue: '' }] } } },
      ] } },
    });
    const expected = { nan: 'NaN', inf: 'Infinity', ninf: '-Infinity', half: 0.5, bytes: '3q2+7w==', empty: null, novalue: null, list: [null, false, ''] };
    expect(proto.records[0]!.body).toEqual(expected);
    const json = jsonRecords({
      body: { kvlistValue: { values: [
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'inf', value: { doubleValue: 'Infinity' } },
        { key: 'ninf', value: { doubleValue: '-Infinity' } },
        { key: 'half', value: { doubleValue: '0.5' } },
        { key: 'bytes', value: { bytesValue: '3q2-7w' } }, // URL-safe, unpadded: accepted, written standard
        { key: 'empty', value: {} },
        { key: 'novalue' },
        { key: 'list', value: { arrayValue: { values: [{}, { boolValue: false }, { stringValue: '' }] } } },
      ] } },
    });
    expect(json.records[0]!.body).toEqual(expected);
  });

  it('omits a zero timestamp, fills a missing observed time, keeps nanoseconds', () => {
    for (const result of both({ timeUnixNano: '0', body: { stringValue: 'x' } })) {
      expect(result.records[0]).toEqual({ observed_timestamp: options.receivedAt, body: 'x' });
    }
    for (const result of both({ timeUnixNano: '1763805600000000001', observedTimeUnixNano: '1763805600999999999' })) {
      expect(result.records[0]).toMatchObject({ timestamp: '2025-11-22T10:00:00.000000001Z', observed_timestamp: '2025-11-22T10:00:00.999999999Z' });
    }
  });

  it('writes ids as lowercase hex, omits empty and all-zero ids, keeps trace flags with a trace id', () => {
    const proto = protoRecords({ traceId: Buffer.alloc(16), spanId: Buffer.alloc(0), flags: 0 });
    expect(proto.records[0]).toEqual({ observed_timestamp: options.receivedAt });
    const json = jsonRecords({ traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: '0000000000000000', flags: 0 });
    expect(json.records[0]).toEqual({ observed_timestamp: options.receivedAt, trace_id: 'abcdef0123456789abcdef0123456789', trace_flags: 0 });
  });

  it('refuses a record with a malformed id alone and reports it (partial success)', () => {
    const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: Buffer.alloc(5, 1) }, { body: { stringValue: 'ok' } }] }] }] };
    const proto = decodeProtobufRequest(encodeRequest(request), options);
    expect(proto.records.map((r) => r.body)).toEqual(['ok']);
    expect(proto.rejected).toBe(1);
    expect(proto.errors[0]).toMatch(/log_records\[0\]: trace_id must be 16 bytes, got 5/);
    const json = decodeJsonRequest(Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ spanId: 'xyz' }, { body: { stringValue: 'ok' } }] }] }] })), options);
    expect(json.records.map((r) => r.body)).toEqual(['ok']);
    expect(json.errors[0]).toMatch(/logRecords\[0\]: span_id must be 16 hex digits/);
  });

  it('caps nesting: a record nested deeper than max_nesting_depth is refused, the others go on', () => {
    const nest = (levels: number): Record<string, unknown> => {
      let v: Record<string, unknown> = { stringValue: 'leaf' };
      for (let i = 0; i < levels; i++) v = i % 2 ? { arrayValue: { values: [v] } } : { kvlistValue: { values: [{ key: 'k', value: v }] } };
      return v;
    };
    const small = { maxDepth: 5, receivedAt: options.receivedAt };
    const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: nest(5) }, { body: nest(6) }] }] }] };
    for (const result of [decodeProtobufRequest(encodeRequest(request), small), decodeJsonRequest(Buffer.from(JSON.stringify(request)), small)]) {
      expect(result.records).toHaveLength(1);
      expect(result.rejected).toBe(1);
      expect(result.errors[0]).toMatch(/nested deeper than 5 levels/);
    }
    const deepResource = { resourceLogs: [{ resource: { attributes: [{ key: 'r', value: nest(6) }] }, scopeLogs: [{ logRecords: [{}] }] }] };
    expect(() => decodeProtobufRequest(encodeRequest(deepResource), small)).toThrow(/resource_logs\[0\]: values nested deeper/);
    expect(() => decodeJsonRequest(Buffer.from(JSON.stringify(deepResource)), small)).toThrow(/resourceLogs\[0\]: values nested deeper/);
  });

  it('refuses a request with more than maxRecords records (counting refused ones) as too large', () => {
    const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{}, { traceId: Buffer.alloc(3) }, {}] }] }] };
    const limited = { ...options, maxRecords: 2 };
    expect(() => decodeProtobufRequest(encodeRequest(request), limited)).toThrow(/more than 2 log records/);
    expect(() => decodeJsonRequest(Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}, {}, {}] }] }] })), limited)).toThrow(OtlpRequestTooLargeError);
    expect(decodeProtobufRequest(encodeRequest(request), { ...options, maxRecords: 3 }).records).toHaveLength(2);
  });

  it('carries event_name as the event.name attribute and gives every record its own resource and scope objects', () => {
    const request = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
        scopeLogs: [{ scope: { name: 'lib' }, logRecords: [{ eventName: 'user.login' }, { eventName: 'x', attributes: [{ key: 'event.name', value: { stringValue: 'explicit' } }] }] }],
      }],
    };
    for (const result of [decodeProtobufRequest(encodeRequest(request), options), decodeJsonRequest(Buffer.from(JSON.stringify(request)), options)]) {
      const [a, b] = result.records;
      expect(a!.attributes).toEqual({ 'event.name': 'user.login' });
      expect(b!.attributes).toEqual({ 'event.name': 'explicit' });
      expect(a!.resource).toEqual(b!.resource);
      expect(a!.resource).not.toBe(b!.resource);
      expect(a!.scope).not.toBe(b!.scope);
    }
  });

  it('keeps a "__proto__" attribute key as data without touching prototypes', () => {
    const record = { attributes: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }] };
    for (const result of both(record)) {
      const attributes = result.records[0]!.attributes!;
      expect(Object.keys(attributes)).toEqual(['__proto__']);
      expect(JSON.stringify(attributes)).toBe('{"__proto__":{"polluted":true}}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('ignores the profiles-only strindex fields and passes unknown enum values through', () => {
    const proto = protoRecords({ severityNumber: 77, body: { stringValueStrindex: 3 } });
    expect(proto.records[0]).toEqual({ observed_timestamp: options.receivedAt, severity_number: 77 });
  });
});

describe('OTLP/JSON specifics', () => {
  it('accepts snake_case field names, numbers for 64-bit fields and enum names', () => {
    const body = {
      resource_logs: [{ scope_logs: [{ log_records: [{
        time_unix_nano: 1763805600000000000, severity_number: 'SEVERITY_NUMBER_WARN2', severity_text: 'W',
        body: { string_value: 'x' }, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', dropped_attributes_count: '2',
      }] }] }],
    };
    expect(decodeJsonRequest(Buffer.from(JSON.stringify(body)), options).records[0]).toEqual({
      timestamp: '2025-11-22T10:00:00.000000000Z', observed_timestamp: options.receivedAt, severity_text: 'W', severity_number: 14,
      body: 'x', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', trace_flags: 0, dropped_attributes_count: 2,
    });
  });

  it('refuses wrong types with the JSON path of the offending value', () => {
    const cases: [unknown, RegExp][] = [
      [[], /body must be an object/],
      [{ resourceLogs: {} }, /resourceLogs must be an array/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 'soon' }] }] }] }, /logRecords\[0\]\.timeUnixNano must be an unsigned 64-bit integer/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '18446744073709551616' }] }] }] }, /timeUnixNano must be an unsigned 64-bit integer/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { intValue: '1.5' } }] }] }] }, /body\.intValue must be a signed 64-bit integer/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { intValue: '9223372036854775808' } }] }] }] }, /intValue must be a signed 64-bit integer/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'a', boolValue: true } }] }] }] }, /AnyValue has both stringValue and boolValue/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { bytesValue: 'not base64!' } }] }] }] }, /bytesValue must be base64/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'LOUD' }] }] }] }, /severityNumber must be an integer SeverityNumber/],
      [{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [{ key: 1 }] }] }] }] }, /attributes\[0\]\.key must be a string/],
    ];
    for (const [body, message] of cases) {
      const run = () => decodeJsonRequest(Buffer.from(JSON.stringify(body)), options);
      expect(run).toThrow(OtlpInvalidRequestError);
      expect(run).toThrow(message);
    }
    expect(() => decodeJsonRequest(Buffer.from('{"resourceLogs": ['), options)).toThrow(/invalid JSON/);
  });

  it('refuses JSON nested beyond what any valid record needs before parsing it', () => {
    const deep = Buffer.from('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    const started = Date.now();
    expect(() => decodeJsonRequest(deep, options)).toThrow(/nested deeper than 416 levels/);
    expect(Date.now() - started).toBeLessThan(1000);
    // Brackets inside strings do not count.
    const inString = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: '['.repeat(5000) } }] }] }] });
    expect(decodeJsonRequest(Buffer.from(inString), options).records[0]!.body).toBe('['.repeat(5000));
  });

  it('ignores unknown fields and a leading byte order mark', () => {
    const body = '\ufeff' + JSON.stringify({ extra: 1, resourceLogs: [{ whatever: [], scopeLogs: [{ logRecords: [{ body: { stringValue: 'x', future: 1 }, newField: true }] }] }] });
    expect(decodeJsonRequest(Buffer.from(body), options).records[0]!.body).toBe('x');
  });
});

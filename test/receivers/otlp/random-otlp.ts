/**
 * Random OTLP log requests (as protobufjs `fromObject` input) and their reference encoding
 * and decoding with protobufjs loaded from the official .proto files. Shared by the decoder
 * tests, the fuzz test and bench/otlp/fuzz.ts.
 */
import { decodeJsonRequest } from '../../../src/receivers/otlp/decode-json.ts';
import { otlpTypes } from '../../../src/receivers/otlp/proto.ts';
import type { DecodedRequest, DecodeOptions } from '../../../src/receivers/otlp/values.ts';

/** A small deterministic PRNG (mulberry32), so failures reproduce from the seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const int = (r: R, n: number): number => Math.floor(r() * n);
const pick = <T>(r: R, list: readonly T[]): T => list[int(r, list.length)]!;

const STRINGS = ['', 'a', 'hello world', 'ünïcödé ✓', '😀 emoji', 'quote " and \\ backslash', 'line\nbreak', '__proto__', 'constructor', 'x'.repeat(300), '\u0000nul'];
const INT64S = ['0', '1', '-1', '42', '9007199254740991', '-9007199254740991', '9007199254740992', '-9007199254740992',
  '9223372036854775807', '-9223372036854775808', '4294967296', '-4294967297', '2147483648'];
const DOUBLES = [0, -0, 1.5, -2.25, 1e-300, 1.7976931348623157e308, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.141592653589793];

export function randomBytes(r: R, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(r, 256);
  return out;
}

function randomString(r: R): string {
  return r() < 0.7 ? pick(r, STRINGS) : `s${int(r, 1e6)}`;
}

function randomInt64(r: R): string {
  if (r() < 0.5) return pick(r, INT64S);
  const v = BigInt.asIntN(64, (BigInt(int(r, 2 ** 32)) << 32n) | BigInt(int(r, 2 ** 32)));
  return (r() < 0.5 ? v >> BigInt(int(r, 64)) : v).toString();
}

export function randomAnyValue(r: R, depth: number): Record<string, unknown> {
  const kinds = depth > 0 ? 8 : 6;
  switch (int(r, kinds)) {
    case 0: return { stringValue: randomString(r) };
    case 1: return { boolValue: r() < 0.5 };
    case 2: return { intValue: randomInt64(r) };
    case 3: return { doubleValue: r() < 0.5 ? pick(r, DOUBLES) : (r() - 0.5) * 1e6 };
    case 4: return { bytesValue: randomBytes(r, int(r, 20)) };
    case 5: return {};
    case 6: return { arrayValue: { values: Array.from({ length: int(r, 4) }, () => randomAnyValue(r, depth - 1)) } };
    default: return { kvlistValue: { values: Array.from({ length: int(r, 4) }, () => randomKeyValue(r, depth - 1)) } };
  }
}

function randomKeyValue(r: R, depth: number): Record<string, unknown> {
  return { key: r() < 0.8 ? `k${int(r, 6)}` : randomString(r), ...(r() < 0.95 ? { value: randomAnyValue(r, depth) } : {}) };
}

function randomAttributes(r: R, depth: number): Record<string, unknown>[] {
  return Array.from({ length: int(r, 5) }, () => randomKeyValue(r, depth));
}

function randomId(r: R, n: number): Uint8Array {
  const x = r();
  if (x < 0.3) return new Uint8Array(0);
  if (x < 0.35) return new Uint8Array(n); // all zero: invalid, omitted
  return randomBytes(r, n);
}

function randomFixed64(r: R): string {
  const x = r();
  if (x < 0.2) return '0';
  if (x < 0.3) return '18446744073709551615';
  return (BigInt(1_600_000_000 + int(r, 200_000_000)) * 1_000_000_000n + BigInt(int(r, 1e9))).toString();
}

export function randomLogRecord(r: R, depth = 3): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  if (r() < 0.9) rec.timeUnixNano = randomFixed64(r);
  if (r() < 0.7) rec.observedTimeUnixNano = randomFixed64(r);
  if (r() < 0.8) rec.severityNumber = int(r, 25);
  if (r() < 0.6) rec.severityText = pick(r, ['INFO', 'WARN', 'ERROR', '', 'debug']);
  if (r() < 0.9) rec.body = randomAnyValue(r, depth);
  if (r() < 0.8) rec.attributes = randomAttributes(r, depth);
  if (r() < 0.2) rec.droppedAttributesCount = int(r, 5);
  if (r() < 0.5) rec.flags = r() < 0.5 ? 1 : int(r, 2 ** 32);
  if (r() < 0.6) rec.traceId = randomId(r, 16);
  if (r() < 0.6) rec.spanId = randomId(r, 8);
  if (r() < 0.2) rec.eventName = pick(r, ['', 'user.login', 'custody.test']);
  return rec;
}

/** A random ExportLogsServiceRequest (protobufjs object form). */
export function randomRequest(r: R, maxRecords = 5, depth = 3): Record<string, unknown> {
  return {
    resourceLogs: Array.from({ length: int(r, 3) + (r() < 0.9 ? 1 : 0) }, () => ({
      ...(r() < 0.8 ? { resource: { attributes: randomAttributes(r, depth), droppedAttributesCount: int(r, 2) } } : {}),
      scopeLogs: Array.from({ length: int(r, 3) + 1 }, () => ({
        ...(r() < 0.8 ? { scope: { name: pick(r, ['', 'lib', 'com.example.auth']), version: pick(r, ['', '1.0.0']), attributes: randomAttributes(r, 1), droppedAttributesCount: int(r, 2) } } : {}),
        logRecords: Array.from({ length: int(r, maxRecords) + 1 }, () => randomLogRecord(r, depth)),
        ...(r() < 0.3 ? { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' } : {}),
      })),
      ...(r() < 0.3 ? { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' } : {}),
    })),
  };
}

/** protobufjs encoding of a request object. */
export function encodeRequest(request: Record<string, unknown>): Buffer {
  const { ExportLogsServiceRequest } = otlpTypes();
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish());
}

/**
 * The reference decoding: protobufjs decodes the bytes, its proto3 JSON form (ids turned
 * from base64 to hex, as OTLP/JSON wants) goes through the OTLP/JSON decoder. The hand-written
 * protobuf decoder must agree with this on every valid message.
 */
export function referenceDecode(bytes: Uint8Array, options: DecodeOptions): DecodedRequest {
  const { ExportLogsServiceRequest } = otlpTypes();
  const object = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), {
    longs: String, bytes: String, enums: Number, json: true,
  }) as { resourceLogs?: { scopeLogs?: { logRecords?: Record<string, unknown>[] }[] }[] };
  for (const rl of object.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const lr of sl.logRecords ?? []) {
        for (const key of ['traceId', 'spanId']) {
          if (typeof lr[key] === 'string') lr[key] = Buffer.from(lr[key], 'base64').toString('hex');
        }
      }
    }
  }
  return decodeJsonRequest(Buffer.from(JSON.stringify(object)), options);
}

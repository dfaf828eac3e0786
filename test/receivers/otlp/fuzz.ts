/**
 * Fuzzing the OTLP decoders: random bytes, mutated valid protobuf, random JSON, and valid
 * OTLP/JSON with mutated text or with values of the wrong type swapped in. The only
 * acceptable outcomes are a decoded request whose records serialise as contract JSON, or an
 * OtlpInvalidRequestError; anything else (a crash, a RangeError, a bad id) is a finding.
 * Deterministic per seed. Used by fuzz.test.ts (a few thousand cases) and bench/otlp/fuzz.ts.
 */
import { recordToJson } from '../../../src/core/record.ts';
import { decodeJsonRequest } from '../../../src/receivers/otlp/decode-json.ts';
import { decodeProtobufRequest } from '../../../src/receivers/otlp/decode-protobuf.ts';
import { OtlpInvalidRequestError } from '../../../src/receivers/otlp/errors.ts';
import { otlpTypes } from '../../../src/receivers/otlp/proto.ts';
import type { DecodedRequest } from '../../../src/receivers/otlp/values.ts';
import { encodeRequest, randomBytes, randomRequest, rng } from './random-otlp.ts';

type R = () => number;
const int = (r: R, n: number): number => Math.floor(r() * n);

export interface FuzzStats {
  cases: number;
  decoded: number;
  invalid: number;
  records: number;
  rejected: number;
}

export class FuzzFinding extends Error {}

const options = { maxDepth: 16, receivedAt: '2026-01-01T00:00:00.000000000Z' };

function mutateBytes(r: R, input: Uint8Array): Buffer {
  let b = Buffer.from(input);
  const n = 1 + int(r, 6);
  for (let i = 0; i < n && b.length > 0; i++) {
    const at = int(r, b.length);
    switch (int(r, 6)) {
      case 0: b[at] = b[at]! ^ (1 << int(r, 8)); break;
      case 1: b[at] = int(r, 256); break;
      case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(r, 8)))]); break;
      case 3: b = Buffer.concat([b.subarray(0, at), Buffer.from(randomBytes(r, 1 + int(r, 8))), b.subarray(at)]); break;
      case 4: b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + int(r, 32)), b.subarray(at)]); break;
      default: b = b.subarray(0, at); break;
    }
  }
  return b;
}

const JSON_NOISE = ['{', '}', '[', ']', '"', ':', ',', '0', '-', 'e', '\\', 'null', 'true', '1e999', '"\\u0000"', '99999999999999999999999'];

function mutateText(r: R, text: string): string {
  let t = text;
  const n = 1 + int(r, 4);
  for (let i = 0; i < n && t.length > 0; i++) {
    const at = int(r, t.length);
    const noise = JSON_NOISE[int(r, JSON_NOISE.length)]!;
    switch (int(r, 3)) {
      case 0: t = t.slice(0, at) + noise + t.slice(at + 1); break;
      case 1: t = t.slice(0, at) + noise + t.slice(at); break;
      default: t = t.slice(0, at) + t.slice(at + 1 + int(r, 10)); break;
    }
  }
  return t;
}

const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 64, '', 'x', '-5', 'NaN', [], [1, 'a'], {}, { stringValue: 1 }, { a: { b: [] } }, '00', 'ZZ'];

/** Replaces a few values anywhere in the object with values of another type. */
function swapTypes(r: R, root: unknown): unknown {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => { slots.push({ parent: v, key: i }); walk(x); });
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { slots.push({ parent: v as Record<string, unknown>, key: k }); walk(x); }
  };
  walk(root);
  for (let i = 0; i < 1 + int(r, 3) && slots.length > 0; i++) {
    const slot = slots[int(r, slots.length)]!;
    (slot.parent as Record<string | number, unknown>)[slot.key] = structuredClone(ODD_VALUES[int(r, ODD_VALUES.length)]);
  }
  return root;
}

function randomJson(r: R, depth: number): unknown {
  switch (int(r, depth > 0 ? 7 : 5)) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return (r() - 0.5) * 10 ** int(r, 30);
    case 3: return String.fromCharCode(...Array.from({ length: int(r, 12) }, () => int(r, 0x3000)));
    case 4: return ODD_VALUES[int(r, ODD_VALUES.length)];
    case 5: return Array.from({ length: int(r, 4) }, () => randomJson(r, depth - 1));
    default: {
      const keys = ['resourceLogs', 'scopeLogs', 'logRecords', 'body', 'attributes', 'key', 'value', 'values', 'kvlistValue', 'arrayValue', 'intValue', 'traceId', 'timeUnixNano', 'x'];
      return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [keys[int(r, keys.length)]!, randomJson(r, depth - 1)]));
    }
  }
}

/** OTLP/JSON text of a random valid request. */
function validJsonRequest(r: R): string {
  const { ExportLogsServiceRequest } = otlpTypes();
  const message = ExportLogsServiceRequest.fromObject(randomRequest(r, 3, 3));
  const object = ExportLogsServiceRequest.toObject(message, { longs: String, bytes: String, enums: Number, json: true }) as Record<string, unknown>;
  return JSON.stringify(object, (key, value: unknown) =>
    (key === 'traceId' || key === 'spanId') && typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value);
}

function check(run: () => DecodedRequest, stats: FuzzStats, describe: () => string): void {
  let result: DecodedRequest;
  try {
    result = run();
  } catch (error) {
    if (error instanceof OtlpInvalidRequestError) {
      stats.invalid++;
      return;
    }
    throw new FuzzFinding(`${describe()}: decoder threw ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
  }
  stats.decoded++;
  stats.records += result.records.length;
  stats.rejected += result.rejected;
  for (const record of result.records) {
    const line = recordToJson(record);
    JSON.parse(line);
    if (typeof record.observed_timestamp !== 'string') throw new FuzzFinding(`${describe()}: record without observed_timestamp`);
    if (record.trace_id !== undefined && !/^[0-9a-f]{32}$/.test(record.trace_id)) throw new FuzzFinding(`${describe()}: bad trace_id ${record.trace_id}`);
    if (record.span_id !== undefined && !/^[0-9a-f]{16}$/.test(record.span_id)) throw new FuzzFinding(`${describe()}: bad span_id ${record.span_id}`);
  }
}

/** Runs `cases` fuzz cases from `seed`; throws FuzzFinding on the first bad outcome. */
export function runFuzz(cases: number, seed = 1): FuzzStats {
  const stats: FuzzStats = { cases: 0, decoded: 0, invalid: 0, records: 0, rejected: 0 };
  const valid: Buffer[] = Array.from({ length: 32 }, (_, i) => encodeRequest(randomRequest(rng(seed * 1000 + i), 4, 4)));
  for (let i = 0; i < cases; i++) {
    const caseSeed = seed * 1_000_003 + i;
    const r = rng(caseSeed);
    const what = (kind: string) => () => `case ${i} (seed ${caseSeed}, ${kind})`;
    switch (i % 6) {
      case 0: {
        const bytes = Buffer.from(randomBytes(r, int(r, 512)));
        check(() => decodeProtobufRequest(bytes, options), stats, what('random bytes as protobuf'));
        break;
      }
      case 1:
      case 2: {
        const bytes = mutateBytes(r, valid[int(r, valid.length)]!);
        check(() => decodeProtobufRequest(bytes, options), stats, what('mutated protobuf'));
        break;
      }
      case 3: {
        const text = JSON.stringify(randomJson(r, 6)) ?? 'null';
        check(() => decodeJsonRequest(Buffer.from(text), options), stats, what('random JSON'));
        break;
      }
      case 4: {
        const text = mutateText(r, validJsonRequest(r));
        check(() => decodeJsonRequest(Buffer.from(text), options), stats, what('mutated JSON text'));
        break;
      }
      default: {
        const text = JSON.stringify(swapTypes(r, JSON.parse(validJsonRequest(r))));
        check(() => decodeJsonRequest(Buffer.from(text), options), stats, what('JSON with values of the wrong type'));
        break;
      }
    }
    stats.cases++;
  }
  return stats;
}

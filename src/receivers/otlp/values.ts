/**
 * What both OTLP decoders (protobuf and JSON) share: the decoded request's shape, the
 * record-level rules of the mapping, and small value conversions on the hot path.
 *
 * Mapping rules (one place, so the two encodings cannot drift apart):
 * - integers: JSON numbers when |v| <= 2^53 - 1, else decimal strings (no digit lost);
 * - doubles: JSON numbers; NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"
 *   (JSON has no such numbers; these are protojson's spellings);
 * - bytes: standard base64 strings; an AnyValue with no value: null;
 * - trace and span ids: lowercase hex, omitted when empty or all zero;
 * - `time_unix_nano` 0 means unknown: `timestamp` omitted; `observed_timestamp` 0 is filled
 *   with the time the request was received;
 * - `event_name` becomes the attribute `event.name` (the record has no field of its own).
 */
import type { JsonObject, JsonValue, LogRecord } from '../../core/record.ts';
import { formatNanos } from '../../core/time.ts';
import { OtlpRequestTooLargeError, RecordRejected } from './errors.ts';

export interface DecodeOptions {
  /** AnyValue nesting (arrays and maps inside one another) allowed in one record. */
  maxDepth: number;
  /** Contract timestamp used where a record has no observed time. */
  receivedAt: string;
  /** Log records one request may carry (decoded records cost far more memory than their bytes). */
  maxRecords?: number;
}

export interface DecodedRequest {
  records: LogRecord[];
  /** Records refused one by one (reported back through partial_success). */
  rejected: number;
  /** The first few reasons, for the partial_success error_message. */
  errors: string[];
}

const MAX_ERRORS_KEPT = 5;

export function emptyResult(): DecodedRequest {
  return { records: [], rejected: 0, errors: [] };
}

/** Call before decoding each log record: refuses a request with more than `maxRecords`. */
export function checkRecordCount(result: DecodedRequest, options: DecodeOptions): void {
  if (options.maxRecords !== undefined && result.records.length + result.rejected >= options.maxRecords) {
    throw new OtlpRequestTooLargeError(`request has more than ${options.maxRecords} log records (max_records_per_request)`);
  }
}

export function noteRejected(result: DecodedRequest, where: string, error: RecordRejected): void {
  result.rejected++;
  if (result.errors.length < MAX_ERRORS_KEPT) result.errors.push(`${where}: ${error.message}`);
}

/** `obj[key] = value` that stays an own data property even for `__proto__`. */
export function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Deep copy of a JSON value (records must not share objects: processors mutate them). */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]!);
    return out as T;
  }
  const out: JsonObject = {};
  for (const key in value) setKey(out, key, cloneJson((value as JsonObject)[key]!));
  return out as T;
}

/** Lowercase hex of `bytes[start, end)`, or undefined when every byte is zero (an invalid id). */
export function idHex(bytes: Buffer, start: number, end: number): string | undefined {
  let nonZero = 0;
  for (let i = start; i < end; i++) nonZero |= bytes[i]!;
  return nonZero === 0 ? undefined : bytes.toString('hex', start, end);
}

/** Checks an id's byte length; `kind` names it in the rejection. */
export function checkIdLength(kind: 'trace_id' | 'span_id', length: number): void {
  const want = kind === 'trace_id' ? 16 : 8;
  if (length !== want && length !== 0) throw new RecordRejected(`${kind} must be ${want} bytes, got ${length}`);
}

const TWO_32 = 4294967296;

/** A signed 64-bit integer from its two's-complement halves, as the contract writes it. */
export function int64Value(lo: number, hi: number): number | string {
  if (hi < 0x200000) return hi * TWO_32 + lo; // non-negative, below 2^53
  if (hi >= 0x80000000) {
    // Negative: magnitude is the two's complement.
    const mlo = (~lo + 1) >>> 0;
    const mhi = (~hi + (mlo === 0 ? 1 : 0)) >>> 0;
    if (mhi < 0x200000) return -(mhi * TWO_32 + mlo);
  }
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** An integer the contract writes as a number when it is safe, else as a decimal string. */
export function bigIntValue(v: bigint): number | string {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
}

const NANOS_PER_SECOND = 1_000_000_000n;
let cachedSecond = -1n;
let cachedPrefix = '';

/**
 * Nanoseconds since the epoch (fixed64 halves) as the contract's timestamp. Records of one
 * request mostly share their second, so the calendar part (formatNanos, a Date round trip)
 * is computed once per distinct second and only the nine fraction digits per record.
 */
export function nanosText(lo: number, hi: number): string {
  const ns = (BigInt(hi) << 32n) | BigInt(lo);
  const second = ns / NANOS_PER_SECOND;
  if (second !== cachedSecond) {
    cachedPrefix = formatNanos(second * NANOS_PER_SECOND).slice(0, -10); // without "nnnnnnnnnZ"
    cachedSecond = second;
  }
  const fraction = Number(ns - second * NANOS_PER_SECOND);
  return cachedPrefix + (fraction < 100_000_000 ? String(fraction).padStart(9, '0') : String(fraction)) + 'Z';
}

/** The same for a bigint (OTLP/JSON gives the value as text). */
export function bigNanosText(ns: bigint): string {
  return nanosText(Number(ns & 0xffffffffn), Number(ns >> 32n));
}

/** A double as the contract writes it (JSON has no NaN or Infinity). */
export function doubleValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Per-record rules applied once every field is known: observed time filled, the resource
 * and scope of the enclosing ResourceLogs / ScopeLogs attached (each record gets its own
 * copy after the first), `event_name` carried as an attribute.
 */
export function finishRecord(record: LogRecord, eventName: string | undefined, options: DecodeOptions): void {
  if (record.observed_timestamp === undefined) record.observed_timestamp = options.receivedAt;
  if (eventName) {
    const attributes = record.attributes ?? (record.attributes = {});
    if (!Object.hasOwn(attributes, 'event.name')) attributes['event.name'] = eventName;
  }
}

/** Attaches `resource` to records[from..] (the first takes it, the rest a copy). */
export function attachResource(records: LogRecord[], from: number, resource: JsonObject | undefined): void {
  if (!resource) return;
  for (let i = from; i < records.length; i++) records[i]!.resource = i === from ? resource : cloneJson(resource);
}

export function attachScope(records: LogRecord[], from: number, scope: LogRecord['scope']): void {
  if (!scope) return;
  for (let i = from; i < records.length; i++) {
    records[i]!.scope = i === from ? scope : (cloneJson(scope as JsonObject) as LogRecord['scope']);
  }
}

/**
 * Decodes an OTLP/JSON `ExportLogsServiceRequest` into the contract's records.
 *
 * OTLP/JSON is proto3's JSON mapping with the OTLP exceptions
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): trace and span ids
 * are hex (any case) not base64, enums are integers (names are accepted too), 64-bit
 * integers may be strings or numbers, unknown fields are ignored. Field names are accepted
 * in lowerCamelCase and in their original snake_case, as proto3 JSON parsers do.
 *
 * Errors: a value of the wrong type anywhere refuses the whole request (400 with the path
 * of the value); a record that is well-formed but unusable (nesting too deep, a malformed
 * id) is refused alone and reported through partial_success.
 *
 * Depth: JSON.parse copes with any nesting, but walking it must not; before parsing, a
 * linear scan refuses documents nested deeper than the record depth limit allows.
 */
import type { JsonObject, JsonValue, LogRecord, Scope } from '../../core/record.ts';
import { OtlpInvalidRequestError, RecordRejected } from './errors.ts';
import {
  attachResource, attachScope, bigIntValue, bigNanosText, checkRecordCount, doubleValue, emptyResult, finishRecord, noteRejected, setKey,
  type DecodedRequest, type DecodeOptions,
} from './values.ts';

type Obj = Record<string, unknown>;

/** JSON nesting levels from the document root to a record body, plus slack. */
const ENVELOPE_LEVELS = 16;
/** JSON nesting levels one AnyValue level costs ({"kvlistValue":{"values":[{"value":...}]}}). */
const LEVELS_PER_VALUE = 4;

export function decodeJsonRequest(body: Buffer, options: DecodeOptions): DecodedRequest {
  const maxNesting = ENVELOPE_LEVELS + LEVELS_PER_VALUE * options.maxDepth;
  if (jsonNestingExceeds(body, maxNesting)) {
    throw new OtlpInvalidRequestError(`invalid JSON: nested deeper than ${maxNesting} levels`);
  }
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new OtlpInvalidRequestError(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new OtlpInvalidRequestError('invalid OTLP/JSON: the body must be an object');
  }
  const request = root as Obj;
  const result = emptyResult();
  const resourceLogs = asArray(field(request, 'resourceLogs', 'resource_logs'), 'resourceLogs');
  for (let i = 0; i < resourceLogs.length; i++) {
    try {
      decodeResourceLogs(resourceLogs[i], `resourceLogs[${i}]`, result, options);
    } catch (error) {
      // Only a resource or scope gets here with a record-level problem; it concerns every
      // record under it, so the request as a whole is refused.
      if (error instanceof RecordRejected) throw new OtlpInvalidRequestError(`resourceLogs[${i}]: ${error.message}`);
      throw error;
    }
  }
  return result;
}

function decodeResourceLogs(value: unknown, path: string, result: DecodedRequest, options: DecodeOptions): void {
  const rl = asObject(value, path);
  if (!rl) return;
  const first = result.records.length;
  const scopeLogs = asArray(field(rl, 'scopeLogs', 'scope_logs'), `${path}.scopeLogs`);
  for (let i = 0; i < scopeLogs.length; i++) decodeScopeLogs(scopeLogs[i], `${path}.scopeLogs[${i}]`, result, options);
  const resource = asObject(rl.resource, `${path}.resource`);
  if (!resource) return;
  const attributes = decodeAttributes(resource.attributes, `${path}.resource.attributes`, options);
  attachResource(result.records, first, attributes);
}

function decodeScopeLogs(value: unknown, path: string, result: DecodedRequest, options: DecodeOptions): void {
  const sl = asObject(value, path);
  if (!sl) return;
  const first = result.records.length;
  const records = asArray(field(sl, 'logRecords', 'log_records'), `${path}.logRecords`);
  for (let i = 0; i < records.length; i++) {
    const where = `${path}.logRecords[${i}]`;
    checkRecordCount(result, options);
    try {
      const record = decodeLogRecord(records[i], where, options);
      if (record) result.records.push(record);
    } catch (error) {
      if (!(error instanceof RecordRejected)) throw error;
      noteRejected(result, where, error);
    }
  }
  attachScope(result.records, first, decodeScope(sl.scope, `${path}.scope`, options));
}

function decodeScope(value: unknown, path: string, options: DecodeOptions): Scope | undefined {
  const s = asObject(value, path);
  if (!s) return undefined;
  const scope: Scope = {};
  const name = asString(s.name, `${path}.name`);
  if (name) scope.name = name;
  const version = asString(s.version, `${path}.version`);
  if (version) scope.version = version;
  const attributes = decodeAttributes(s.attributes, `${path}.attributes`, options);
  if (attributes) scope.attributes = attributes;
  const dropped = asUint32(field(s, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`);
  if (dropped) scope.dropped_attributes_count = dropped;
  return Object.keys(scope).length > 0 ? scope : undefined;
}

function decodeLogRecord(value: unknown, path: string, options: DecodeOptions): LogRecord | undefined {
  const lr = asObject(value, path);
  if (!lr) return undefined;
  const record: LogRecord = {};
  const time = asUint64(field(lr, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`);
  if (time) record.timestamp = bigNanosText(time);
  const observed = asUint64(field(lr, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${path}.observedTimeUnixNano`);
  if (observed) record.observed_timestamp = bigNanosText(observed);
  const severityText = asString(field(lr, 'severityText', 'severity_text'), `${path}.severityText`);
  if (severityText) record.severity_text = severityText;
  const severityNumber = asSeverity(field(lr, 'severityNumber', 'severity_number'), `${path}.severityNumber`);
  if (severityNumber) record.severity_number = severityNumber;
  if (lr.body !== undefined && lr.body !== null) {
    const body = decodeAnyValue(lr.body, 0, `${path}.body`, options);
    if (body !== undefined) record.body = body;
  }
  const attributes = decodeAttributes(lr.attributes, `${path}.attributes`, options);
  if (attributes) record.attributes = attributes;
  const traceId = asId(field(lr, 'traceId', 'trace_id'), 'trace_id', `${path}.traceId`);
  if (traceId) record.trace_id = traceId;
  const spanId = asId(field(lr, 'spanId', 'span_id'), 'span_id', `${path}.spanId`);
  if (spanId) record.span_id = spanId;
  const traceFlags = (asUint32(lr.flags, `${path}.flags`) ?? 0) & 0xff;
  if (traceFlags !== 0 || record.trace_id !== undefined) record.trace_flags = traceFlags;
  const dropped = asUint32(field(lr, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`);
  if (dropped) record.dropped_attributes_count = dropped;
  finishRecord(record, asString(field(lr, 'eventName', 'event_name'), `${path}.eventName`), options);
  return record;
}

function decodeAttributes(value: unknown, path: string, options: DecodeOptions): JsonObject | undefined {
  const list = asArray(value, path);
  if (list.length === 0) return undefined;
  const out: JsonObject = {};
  for (let i = 0; i < list.length; i++) decodeKeyValueInto(out, list[i], 0, `${path}[${i}]`, options);
  return out;
}

function decodeKeyValueInto(target: JsonObject, value: unknown, depth: number, path: string, options: DecodeOptions): void {
  const kv = asObject(value, path);
  if (!kv) return;
  const key = asString(kv.key, `${path}.key`) ?? '';
  const v = kv.value === undefined || kv.value === null ? undefined : decodeAnyValue(kv.value, depth, `${path}.value`, options);
  setKey(target, key, v === undefined ? null : v);
}

/** An AnyValue; undefined when no value is set. */
function decodeAnyValue(value: unknown, depth: number, path: string, options: DecodeOptions): JsonValue | undefined {
  const av = asObject(value, path);
  if (!av) return undefined;
  let out: JsonValue | undefined;
  let kind: string | undefined;
  const set = (name: string, v: JsonValue): void => {
    if (kind !== undefined) throw new OtlpInvalidRequestError(`${path}: AnyValue has both ${kind} and ${name}`);
    kind = name;
    out = v;
  };
  for (const key in av) {
    const v = av[key];
    if (v === null || v === undefined) continue;
    switch (key) {
      case 'stringValue': case 'string_value':
        set('stringValue', asString(v, `${path}.stringValue`)!);
        break;
      case 'boolValue': case 'bool_value':
        if (typeof v !== 'boolean') throw invalid(`${path}.boolValue`, 'must be true or false');
        set('boolValue', v);
        break;
      case 'intValue': case 'int_value':
        set('intValue', asInt64(v, `${path}.intValue`));
        break;
      case 'doubleValue': case 'double_value':
        set('doubleValue', asDouble(v, `${path}.doubleValue`));
        break;
      case 'bytesValue': case 'bytes_value':
        set('bytesValue', asBase64(v, `${path}.bytesValue`));
        break;
      case 'arrayValue': case 'array_value': {
        if (depth >= options.maxDepth) throw new RecordRejected(`values nested deeper than ${options.maxDepth} levels`);
        const arr = asObject(v, `${path}.arrayValue`);
        const items = arr ? asArray(arr.values, `${path}.arrayValue.values`) : [];
        const list: JsonValue[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) {
          const item = items[i] === null ? undefined : decodeAnyValue(items[i], depth + 1, `${path}.arrayValue.values[${i}]`, options);
          list[i] = item === undefined ? null : item;
        }
        set('arrayValue', list);
        break;
      }
      case 'kvlistValue': case 'kvlist_value': {
        if (depth >= options.maxDepth) throw new RecordRejected(`values nested deeper than ${options.maxDepth} levels`);
        const kvl = asObject(v, `${path}.kvlistValue`);
        const items = kvl ? asArray(kvl.values, `${path}.kvlistValue.values`) : [];
        const map: JsonObject = {};
        for (let i = 0; i < items.length; i++) decodeKeyValueInto(map, items[i], depth + 1, `${path}.kvlistValue.values[${i}]`, options);
        set('kvlistValue', map);
        break;
      }
      default:
        // Unknown fields (and the profiles-only stringValueStrindex) are ignored.
        break;
    }
  }
  return out;
}

// ---- typed accessors: each throws OtlpInvalidRequestError naming the JSON path ----

function invalid(path: string, message: string): OtlpInvalidRequestError {
  return new OtlpInvalidRequestError(`invalid OTLP/JSON: ${path} ${message}`);
}

function field(obj: Obj, camel: string, snake: string): unknown {
  const v = obj[camel];
  return v !== undefined && v !== null ? v : obj[snake];
}

function asObject(v: unknown, path: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(path, 'must be an object');
  return v as Obj;
}

function asArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(path, 'must be an array');
  return v;
}

function asString(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(path, 'must be a string');
  return v;
}

const UINT_TEXT = /^[0-9]{1,20}$/;
const INT_TEXT = /^-?[0-9]{1,20}$/;
const UINT64_MAX = 0xffffffffffffffffn;

function asUint64(v: unknown, path: string): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  let n: bigint | undefined;
  if (typeof v === 'string' && UINT_TEXT.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) n = BigInt(v);
  if (n === undefined || n > UINT64_MAX) throw invalid(path, 'must be an unsigned 64-bit integer (a string or a number)');
  return n;
}

function asInt64(v: unknown, path: string): number | string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  let n: bigint | undefined;
  if (typeof v === 'string' && INT_TEXT.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  if (n === undefined || n < -(2n ** 63n) || n >= 2n ** 63n) throw invalid(path, 'must be a signed 64-bit integer (a string or a number)');
  return bigIntValue(n);
}

function asUint32(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && UINT_TEXT.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw invalid(path, 'must be an unsigned 32-bit integer');
  return n;
}

const SPECIAL_DOUBLES: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const NUMBER_TEXT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function asDouble(v: unknown, path: string): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const special = Object.hasOwn(SPECIAL_DOUBLES, v) ? SPECIAL_DOUBLES[v] : undefined;
    if (special !== undefined) return doubleValue(special);
    if (NUMBER_TEXT.test(v)) return doubleValue(Number(v));
  }
  throw invalid(path, 'must be a number (or "NaN", "Infinity", "-Infinity")');
}

const BASE64_TEXT = /^[A-Za-z0-9+/\-_]*={0,2}$/;

function asBase64(v: unknown, path: string): string {
  if (typeof v !== 'string' || !BASE64_TEXT.test(v) || v.replace(/=+$/, '').length % 4 === 1) {
    throw invalid(path, 'must be base64 text');
  }
  // Accepts standard and URL-safe alphabets, padded or not; writes standard base64.
  return Buffer.from(v, 'base64').toString('base64');
}

const SEVERITY_NAME = /^SEVERITY_NUMBER_(UNSPECIFIED|TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([2-4]?)$/;
const SEVERITY_BASE: Record<string, number> = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

function asSeverity(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return v;
  if (typeof v === 'string') {
    const m = SEVERITY_NAME.exec(v);
    if (m && !(m[1] === 'UNSPECIFIED' && m[2])) return SEVERITY_BASE[m[1]!]! + (m[2] ? Number(m[2]) - 1 : 0);
  }
  throw invalid(path, 'must be an integer SeverityNumber');
}

const HEX_TEXT = /^[0-9a-fA-F]*$/;

/** A hex trace or span id; undefined when empty or all zero. Malformed ids refuse the record. */
function asId(v: unknown, kind: 'trace_id' | 'span_id', path: string): string | undefined {
  const text = asString(v, path);
  if (!text) return undefined;
  const want = kind === 'trace_id' ? 32 : 16;
  if (text.length !== want || !HEX_TEXT.test(text)) {
    throw new RecordRejected(`${kind} must be ${want} hex digits`);
  }
  const hex = text.toLowerCase();
  return /^0+$/.test(hex) ? undefined : hex;
}

/** True when the JSON text nests objects and arrays deeper than `limit` (strings skipped). */
export function jsonNestingExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

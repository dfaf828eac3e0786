/**
 * W3C Trace Context values: validation and parsing. Ids are accepted in either case and
 * returned lowercase; all-zero ids, wrong lengths and non-hex digits are invalid, and a
 * traceparent with any invalid part is ignored as a whole (W3C Trace Context §3.2.2).
 * All patterns here are fixed and linear (bounded repetitions, no nested quantifiers).
 */

export interface TraceContext {
  traceId: string;
  spanId: string | undefined;
  flags: number | undefined;
}

const TRACE_ID_LC = /^[0-9a-f]{32}$/;
const TRACE_ID_ANY = /^[0-9a-fA-F]{32}$/;
const SPAN_ID_LC = /^[0-9a-f]{16}$/;
const SPAN_ID_ANY = /^[0-9a-fA-F]{16}$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';
const TRACEPARENT = /^\s*([0-9a-fA-F]{2})-([0-9a-fA-F]{32})-([0-9a-fA-F]{16})-([0-9a-fA-F]{2})(-[^\s]*)?\s*$/;
const FLAGS_HEX = /^[0-9a-fA-F]{1,2}$/;

/** The trace id, lowercase, or undefined when the value is not a valid one. */
export function normalizeTraceId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length !== 32) return undefined;
  if (TRACE_ID_LC.test(value)) return value === ZERO_TRACE ? undefined : value;
  if (!TRACE_ID_ANY.test(value)) return undefined;
  const lower = value.toLowerCase();
  return lower === ZERO_TRACE ? undefined : lower;
}

/** The span id, lowercase, or undefined when the value is not a valid one. */
export function normalizeSpanId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length !== 16) return undefined;
  if (SPAN_ID_LC.test(value)) return value === ZERO_SPAN ? undefined : value;
  if (!SPAN_ID_ANY.test(value)) return undefined;
  const lower = value.toLowerCase();
  return lower === ZERO_SPAN ? undefined : lower;
}

/** Trace flags from a number 0..255 or one or two hex digits ("01"); else undefined. */
export function normalizeFlags(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
  if (typeof value === 'string' && FLAGS_HEX.test(value)) return parseInt(value, 16);
  return undefined;
}

/** Parses a traceparent header value; undefined when it is not a valid one. */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string' || value.length < 55 || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m) return undefined;
  return fromParts(m[1]!, m[2]!, m[3]!, m[4]!, m[5] !== undefined);
}

/** Validates the four parts of a traceparent (version, trace id, parent id, flags). */
export function fromParts(version: string, trace: string, span: string, flags: string, hasSuffix: boolean): TraceContext | undefined {
  const v = version.toLowerCase();
  // Version ff is forbidden; version 00 has exactly four fields.
  if (v === 'ff' || (v === '00' && hasSuffix)) return undefined;
  const traceId = normalizeTraceId(trace);
  const spanId = normalizeSpanId(span);
  if (traceId === undefined || spanId === undefined) return undefined;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}

/** A string from a field value; header-style attributes are string arrays, whose first item counts. */
export function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

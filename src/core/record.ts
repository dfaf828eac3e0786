/**
 * The log record: the OpenTelemetry log data model, flattened as the contract's exported
 * record. Every component reads and writes this shape; the file exporter writes it as one
 * JSON line with keys in `RECORD_KEY_ORDER`.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Chain fields set by the hashchain processor; always the last key of an exported record. */
export interface ChainFields {
  id: string;
  seq: number;
  prev: string;
  hash: string;
}

export interface Scope {
  name?: string;
  version?: string;
  attributes?: JsonObject;
  dropped_attributes_count?: number;
}

export interface LogRecord {
  /** RFC 3339 UTC with nanoseconds, e.g. 2026-11-22T10:00:00.123456789Z */
  timestamp?: string;
  observed_timestamp?: string;
  severity_text?: string;
  severity_number?: number;
  body?: JsonValue;
  attributes?: JsonObject;
  resource?: JsonObject;
  scope?: Scope;
  /** 32 lowercase hex */
  trace_id?: string;
  /** 16 lowercase hex */
  span_id?: string;
  trace_flags?: number;
  dropped_attributes_count?: number;
  chain?: ChainFields;
}

/** The contract's key order for an exported record; `chain` is last. */
export const RECORD_KEY_ORDER = [
  'timestamp',
  'observed_timestamp',
  'severity_text',
  'severity_number',
  'body',
  'attributes',
  'resource',
  'scope',
  'trace_id',
  'span_id',
  'trace_flags',
  'dropped_attributes_count',
  'chain',
] as const satisfies readonly (keyof LogRecord)[];

/**
 * Serialises a record as the contract's JSON line (without the newline): keys in contract
 * order, absent fields omitted. Hot path: one JSON.stringify per present field beats
 * building an ordered copy and stringifying it.
 */
export function recordToJson(record: LogRecord): string {
  let out = '{';
  let first = true;
  for (const key of RECORD_KEY_ORDER) {
    const value = record[key];
    if (value === undefined) continue;
    out += (first ? '"' : ',"') + key + '":' + JSON.stringify(value);
    first = false;
  }
  return out + '}';
}

/** Returns a copy of the record in contract key order (for callers that need an object). */
export function orderedRecord(record: LogRecord): LogRecord {
  const out: Record<string, unknown> = {};
  for (const key of RECORD_KEY_ORDER) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  return out as LogRecord;
}

/** Severity number ranges from the OpenTelemetry log data model. */
export const SEVERITY_TEXT_BY_NUMBER: Record<number, string> = {
  1: 'TRACE', 5: 'DEBUG', 9: 'INFO', 13: 'WARN', 17: 'ERROR', 21: 'FATAL',
};

/** Maps a common level name (info, warning, err, ...) to an OTel severity number, or undefined. */
export function severityNumberFromText(text: string): number | undefined {
  switch (text.trim().toLowerCase()) {
    case 'trace': return 1;
    case 'debug': case 'dbg': return 5;
    case 'info': case 'information': case 'informational': case 'notice': return 9;
    case 'warn': case 'warning': return 13;
    case 'error': case 'err': return 17;
    case 'fatal': case 'critical': case 'crit': case 'alert': case 'emerg': case 'emergency': case 'panic': return 21;
    default: return undefined;
  }
}

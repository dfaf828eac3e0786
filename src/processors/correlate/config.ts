/** `correlate` processor: config shape, schema and defaults. */
import type { JsonSchema } from '../../core/component.ts';
import { bool, duration, int, object } from '../../config/schemas.ts';

export interface CorrelateConfig {
  traceparent_fields: string[];
  trace_id_fields: string[];
  span_id_fields: string[];
  trace_flags_fields: string[];
  scan_text: boolean;
  request_id_fields: string[];
  request_id_attribute: string;
  window: number;
  max_entries: number;
}

const names = (doc: string): JsonSchema => ({ type: 'array', items: { type: 'string', minLength: 1 }, 'x-doc': doc });

export const configSchema: JsonSchema = object({
  traceparent_fields: names('fields holding a W3C traceparent, looked up in attributes, then in the body'),
  trace_id_fields: names('fields holding a trace id (32 hex), attributes first, then body'),
  span_id_fields: names('fields holding a span id (16 hex)'),
  trace_flags_fields: names('fields holding trace flags (a number, or hex such as "01")'),
  scan_text: bool('look for a traceparent or <trace id field>=<id> inside text bodies'),
  request_id_fields: names('fields holding a request id, attributes first, then body; [] turns joining off'),
  request_id_attribute: { type: 'string', 'x-doc': 'attribute a record with a known trace receives the request id in; empty: the first request_id_fields name' },
  window: duration('how long a request id -> trace pairing is remembered after it was last seen'),
  max_entries: int(0, 'most request ids (and, separately, trace ids) remembered; the least recently seen go first'),
});

export const defaults = (): Record<string, unknown> => ({
  traceparent_fields: ['traceparent'],
  trace_id_fields: ['trace_id', 'traceId', 'trace.id'],
  span_id_fields: ['span_id', 'spanId', 'span.id'],
  trace_flags_fields: ['trace_flags', 'traceFlags'],
  scan_text: true,
  request_id_fields: ['request_id', 'x-request-id'],
  request_id_attribute: '',
  window: '5m',
  max_entries: 100000,
});

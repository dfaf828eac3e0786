/**
 * The `correlate` processor.
 *
 * Extraction: a record without a valid top-level trace_id gets trace_id, span_id and
 * trace_flags from, in order: a traceparent field; trace/span id fields; a text body
 * (traceparent or `trace_id=...` inside the line). Each field name is looked up in the
 * attributes, then in the body. Invalid ids never land on the record. A valid top-level id
 * in upper case is lowercased; the source fields are left as they are.
 *
 * Joining: a record with a request id and a trace teaches the processor that pairing
 * (for `window`, at most `max_entries` pairs). A later record with only the request id
 * gets that trace_id (and trace_flags, not span_id: the span was the other record's), and
 * a later record with only the trace gets the request id as an attribute. Joins only look
 * back: a record already passed on is not changed when its partner arrives later.
 * State is per processor instance (per pipeline) and in memory: a restart forgets it.
 */
import type { CreateContext, ProcessContext, Processor } from '../../core/component.ts';
import type { JsonValue, LogRecord } from '../../core/record.ts';
import { bodyFieldGetter, keyGetter } from '../../core/conditions.ts';
import type { CorrelateConfig } from './config.ts';
import { ExpiringLru } from './expiring-lru.ts';
import { TextScanner } from './text-scan.ts';
import { firstString, normalizeFlags, normalizeSpanId, normalizeTraceId, parseTraceparent, type TraceContext } from './trace-context.ts';

type Lookup = (record: LogRecord) => JsonValue | undefined;
type Source = 'traceparent' | 'fields' | 'text';

/** What the index remembers for a request id: the trace id, plus the flags as two hex digits when known. */
function pack(traceId: string, flags: number | undefined): string {
  return flags === undefined ? traceId : traceId + (flags < 16 ? '0' : '') + flags.toString(16);
}

const MAX_REQUEST_ID_LENGTH = 256;

export class CorrelateProcessor implements Processor {
  private readonly traceparent: Lookup[];
  private readonly traceIds: Lookup[];
  private readonly spanIds: Lookup[];
  private readonly flags: Lookup[];
  private readonly requestIds: Lookup[];
  private readonly scanner: TextScanner | undefined;
  private readonly requestIdAttribute: string;
  private readonly byRequest: ExpiringLru<string>;
  private readonly byTrace: ExpiringLru<string>;
  private readonly metrics;

  constructor(config: CorrelateConfig, ctx: CreateContext) {
    this.traceparent = config.traceparent_fields.map(lookup);
    this.traceIds = config.trace_id_fields.map(lookup);
    this.spanIds = config.span_id_fields.map(lookup);
    this.flags = config.trace_flags_fields.map(lookup);
    this.requestIds = config.request_id_fields.map(lookup);
    this.scanner = config.scan_text ? new TextScanner(config.trace_id_fields, config.span_id_fields, config.trace_flags_fields) : undefined;
    this.requestIdAttribute = config.request_id_attribute || config.request_id_fields[0] || 'request_id';
    this.byRequest = new ExpiringLru(config.max_entries, config.window);
    this.byTrace = new ExpiringLru(config.max_entries, config.window);
    const t = ctx.telemetry;
    const labels = { processor: ctx.id, pipeline: ctx.pipeline ?? '' };
    const extracted = t.counter('custody_correlate_extracted_records_total', 'Records correlate gave a trace id found in their fields or text, by source', ['processor', 'pipeline', 'source']);
    const joined = t.counter('custody_correlate_joined_records_total', 'Records correlate joined through a request id: given the trace_id (direction trace_id) or the request id (direction request_id)', ['processor', 'pipeline', 'direction']);
    const misses = t.counter('custody_correlate_misses_total', 'Records with a request id and no trace whose request id was not known (or had expired)', ['processor', 'pipeline']);
    this.metrics = {
      extracted: {
        traceparent: extracted.labels({ ...labels, source: 'traceparent' }),
        fields: extracted.labels({ ...labels, source: 'fields' }),
        text: extracted.labels({ ...labels, source: 'text' }),
      },
      joinedTrace: joined.labels({ ...labels, direction: 'trace_id' }),
      joinedRequest: joined.labels({ ...labels, direction: 'request_id' }),
      misses: misses.labels(labels),
      entries: t.gauge('custody_correlate_entries', 'Request id -> trace pairings correlate remembers', ['processor', 'pipeline']).labels(labels),
      evicted: t.counter('custody_correlate_evicted_total', 'Pairings forgotten before their window ended because max_entries was reached', ['processor', 'pipeline']).labels(labels),
    };
  }

  async start(): Promise<void> {}

  process(records: LogRecord[], _ctx: ProcessContext): LogRecord[] {
    const now = performance.now();
    this.byRequest.sweep(now);
    this.byTrace.sweep(now);
    const evictedBefore = this.byRequest.evicted + this.byTrace.evicted;
    const tally = { traceparent: 0, fields: 0, text: 0, joinedTrace: 0, joinedRequest: 0, misses: 0 };
    const joining = this.requestIds.length > 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      let traceId = record.trace_id === undefined ? undefined : normalizeTraceId(record.trace_id);
      if (traceId !== undefined) {
        if (traceId !== record.trace_id) record.trace_id = traceId;
      } else {
        const source = this.extract(record);
        if (source !== undefined) {
          tally[source]++;
          traceId = record.trace_id;
        }
      }
      if (!joining) continue;
      const requestId = this.requestId(record);
      if (requestId !== undefined) {
        if (traceId !== undefined) {
          this.byRequest.set(requestId, pack(traceId, record.trace_flags), now);
          this.byTrace.set(traceId, requestId, now);
        } else {
          const known = this.byRequest.get(requestId, now);
          if (known === undefined) {
            tally.misses++;
          } else {
            record.trace_id = known.length === 32 ? known : known.slice(0, 32);
            if (known.length === 34 && record.trace_flags === undefined) record.trace_flags = parseInt(known.slice(32), 16);
            tally.joinedTrace++;
          }
        }
      } else if (traceId !== undefined) {
        const known = this.byTrace.get(traceId, now);
        if (known !== undefined) {
          if (record.attributes) record.attributes[this.requestIdAttribute] = known;
          else record.attributes = { [this.requestIdAttribute]: known };
          tally.joinedRequest++;
        }
      }
    }
    const m = this.metrics;
    if (tally.traceparent) m.extracted.traceparent.inc(tally.traceparent);
    if (tally.fields) m.extracted.fields.inc(tally.fields);
    if (tally.text) m.extracted.text.inc(tally.text);
    if (tally.joinedTrace) m.joinedTrace.inc(tally.joinedTrace);
    if (tally.joinedRequest) m.joinedRequest.inc(tally.joinedRequest);
    if (tally.misses) m.misses.inc(tally.misses);
    const evicted = this.byRequest.evicted + this.byTrace.evicted - evictedBefore;
    if (evicted) m.evicted.inc(evicted);
    if (joining) m.entries.set(this.byRequest.size);
    return records;
  }

  async shutdown(): Promise<void> {
    this.byRequest.clear();
    this.byTrace.clear();
  }

  /** Sets the record's trace context from its fields or text; returns where it came from. */
  private extract(record: LogRecord): Source | undefined {
    for (const get of this.traceparent) {
      const context = parseTraceparent(firstString(get(record)));
      if (context) {
        apply(record, context);
        return 'traceparent';
      }
    }
    for (const get of this.traceIds) {
      const traceId = normalizeTraceId(firstString(get(record)));
      if (traceId === undefined) continue;
      apply(record, { traceId, spanId: firstValid(this.spanIds, record, normalizeSpanId), flags: firstValid(this.flags, record, normalizeFlags) });
      return 'fields';
    }
    if (this.scanner && typeof record.body === 'string') {
      const context = this.scanner.scan(record.body);
      if (context) {
        apply(record, detach(context));
        return 'text';
      }
    }
    return undefined;
  }

  private requestId(record: LogRecord): string | undefined {
    for (const get of this.requestIds) {
      let value: unknown = get(record);
      if (Array.isArray(value)) value = value[0];
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'string' && value.length > 0 && value.length <= MAX_REQUEST_ID_LENGTH) return value;
    }
    return undefined;
  }
}

/** Looks a field name up in the attributes (as a key), then in the body (key, then dotted path). */
function lookup(name: string): Lookup {
  const inAttributes = keyGetter(name);
  const inBody = bodyFieldGetter(name);
  return (r) => {
    const v = inAttributes(r.attributes);
    return v !== undefined ? v : inBody(r.body);
  };
}

function firstValid<T>(lookups: Lookup[], record: LogRecord, normalize: (v: unknown) => T | undefined): T | undefined {
  for (const get of lookups) {
    const raw = get(record);
    const value = normalize(Array.isArray(raw) ? raw[0] : raw);
    if (value !== undefined) return value;
  }
  return undefined;
}

function apply(record: LogRecord, context: TraceContext): void {
  record.trace_id = context.traceId;
  if (context.spanId !== undefined) record.span_id = context.spanId;
  if (context.flags !== undefined && record.trace_flags === undefined) record.trace_flags = context.flags;
}

/**
 * Ids cut out of a long text line by a regex may share its memory (V8 sliced strings);
 * copies keep the joining index from pinning whole lines.
 */
function detach(context: TraceContext): TraceContext {
  return {
    traceId: copy(context.traceId),
    spanId: context.spanId === undefined ? undefined : copy(context.spanId),
    flags: context.flags,
  };
}

function copy(text: string): string {
  return (' ' + text).slice(1);
}

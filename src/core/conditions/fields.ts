/**
 * Field lookups shared by conditions and by processors that read a configured field.
 *
 * - Attribute and resource keys are looked up as they stand: `event.category` is one key,
 *   as in OpenTelemetry.
 * - Body field names are looked up as a key as it stands first; when the body has no such
 *   key, as a dotted path into nested objects (`event.kind` finds `{"event":{"kind":..}}`).
 *   At every level of that walk the whole rest of the name is tried as one key before it is
 *   split further, so `{"http":{"request.id":"x"}}` answers `http.request.id`. A segment
 *   that is a decimal integer indexes into an array (`items.0.id`).
 *
 * Every getter is built once from its name, so per-record work is property reads only.
 * Inherited properties never count (`constructor` on a plain object is absent).
 */
import type { JsonValue, LogRecord } from '../record.ts';

/** Reads a value from a record; undefined when the field is absent. */
export type FieldGetter = (record: LogRecord) => JsonValue | undefined;
/** Reads a value from a JSON value (an object, usually); undefined when absent. */
export type ValueGetter = (value: JsonValue | undefined) => JsonValue | undefined;

/** Getter for one own key of an object. Names that plain objects inherit take a slower, safe path. */
export function keyGetter(key: string): ValueGetter {
  if (key in Object.prototype) {
    return (obj) => (isMap(obj) && Object.hasOwn(obj, key) ? obj[key] : undefined);
  }
  return (obj) => (isMap(obj) ? obj[key] : undefined);
}

/** Getter for a body field name: the key as it stands, else a dotted path (see the header). */
export function bodyFieldGetter(name: string): ValueGetter {
  const direct = keyGetter(name);
  const segments = name.split('.');
  if (segments.length === 1 || segments.some((s) => s === '')) return direct;
  // rests[i] reads segments i.. as one key; steps[i] reads segment i alone.
  const rests = segments.map((_, i) => keyGetter(segments.slice(i).join('.')));
  const steps = segments.map((s) => stepGetter(s));
  const last = segments.length - 1;
  return (body) => {
    if (!isMap(body)) return undefined;
    const whole = direct(body);
    if (whole !== undefined) return whole;
    let current: JsonValue | undefined = steps[0]!(body);
    for (let i = 1; i <= last; i++) {
      if (current === undefined || current === null || typeof current !== 'object') return undefined;
      const rest = i < last ? rests[i]!(current) : undefined;
      if (rest !== undefined) return rest;
      current = steps[i]!(current);
    }
    return current;
  };
}

function stepGetter(segment: string): ValueGetter {
  const byKey = keyGetter(segment);
  if (!/^(0|[1-9][0-9]{0,8})$/.test(segment)) return byKey;
  const index = Number(segment);
  return (value) => (Array.isArray(value) ? value[index] : byKey(value));
}

/** Where a field reference points. */
export type FieldScope = 'body' | 'attributes' | 'resource' | 'severity_text' | 'severity_number' | 'trace_id' | 'span_id';

const WHOLE_FIELDS = new Set<FieldScope>(['severity_text', 'severity_number', 'trace_id', 'span_id']);

/**
 * Parses a field reference as processors take it in their config: `attributes.<key>`,
 * `resource.<key>`, `body.<name>` (or `body` for the whole body), `severity_text`,
 * `severity_number`, `trace_id`, `span_id`. Returns an error message when it is not one.
 */
export function parseFieldRef(ref: string): { scope: FieldScope; name: string } | { error: string } {
  if (WHOLE_FIELDS.has(ref as FieldScope)) return { scope: ref as FieldScope, name: '' };
  if (ref === 'body') return { scope: 'body', name: '' };
  const dot = ref.indexOf('.');
  const scope = dot < 0 ? ref : ref.slice(0, dot);
  const name = dot < 0 ? '' : ref.slice(dot + 1);
  if ((scope === 'body' || scope === 'attributes' || scope === 'resource') && name !== '') {
    return { scope, name };
  }
  return {
    error: `"${ref}" is not a field reference: expected attributes.<key>, resource.<key>, body, body.<field>, severity_text, severity_number, trace_id or span_id`,
  };
}

/** Builds a getter for a field reference; throws on an invalid one (validate with `parseFieldRef`). */
export function fieldRefGetter(ref: string): FieldGetter {
  const parsed = parseFieldRef(ref);
  if ('error' in parsed) throw new Error(parsed.error);
  const { scope, name } = parsed;
  switch (scope) {
    case 'body': {
      if (name === '') return (r) => r.body;
      const get = bodyFieldGetter(name);
      return (r) => get(r.body);
    }
    case 'attributes': {
      const get = keyGetter(name);
      return (r) => get(r.attributes);
    }
    case 'resource': {
      const get = keyGetter(name);
      return (r) => get(r.resource);
    }
    case 'severity_text': return (r) => r.severity_text;
    case 'severity_number': return (r) => r.severity_number;
    case 'trace_id': return (r) => r.trace_id;
    case 'span_id': return (r) => r.span_id;
  }
}

/** A JSON object (not null, not an array). */
export function isMap(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

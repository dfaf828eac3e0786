/**
 * Turns ajv's errors into the `custody.schema.errors` string: `<schema>: <path> <message>`
 * joined by "; ", cut to a bounded length so one pathological record cannot bloat every
 * exporter. Messages name paths and keywords, never the offending values.
 */
import type { ErrorObject } from 'ajv';

export function schemaErrorsText(label: string, errors: readonly ErrorObject[] | null | undefined, maxLength: number): string {
  const parts: string[] = [];
  let length = label.length + 2;
  // `if` errors only summarise the concrete errors of their `then`/`else` branch.
  const list = (errors ?? []).filter((e) => e.keyword !== 'if');
  let i = 0;
  for (; i < list.length; i++) {
    const part = describe(list[i]!);
    if (length + part.length + 2 > maxLength && parts.length > 0) break;
    parts.push(part);
    length += part.length + 2;
  }
  let text = `${label}: ${parts.length > 0 ? parts.join('; ') : 'is invalid'}`;
  if (i < list.length) text += `; (${list.length - i} more)`;
  return clip(text, maxLength);
}

/** Cuts text to at most `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + '…';
}

function describe(error: ErrorObject): string {
  const at = error.instancePath === '' ? '/' : error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at} must not have property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum':
      return `${at} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at} ${error.message ?? 'is invalid'}`;
  }
}

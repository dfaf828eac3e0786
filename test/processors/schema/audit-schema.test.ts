import { describe, expect, it } from 'vitest';
import { compileSchemaDocument, readSchemaFile } from '../../../src/processors/schema/compile.ts';
import { validEvents } from './events.ts';

const validate = compileSchemaDocument(readSchemaFile('config/schemas/audit-event.v1.json'));

function errorsOf(event: unknown): string[] {
  if (validate(event)) return [];
  return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.instancePath || '/'} ${e.keyword}`);
}

const change = (category: keyof typeof validEvents, patch: (e: Record<string, any>) => void): unknown => {
  const event = structuredClone(validEvents[category]!) as Record<string, any>;
  patch(event);
  return event;
};

describe('config/schemas/audit-event.v1.json', () => {
  it.each(Object.keys(validEvents))('accepts a well-formed %s event', (category) => {
    expect(errorsOf(validEvents[category])).toEqual([]);
  });

  it.each([
    ['a timestamp with an offset instead of Z', change('authentication', (e) => { e.timestamp = '2026-11-22T11:00:00+01:00'; }), '/timestamp pattern'],
    ['an impossible date', change('authentication', (e) => { e.timestamp = '2026-02-30T10:00:00Z'; }), '/timestamp format'],
    ['no actor', change('authentication', (e) => { delete e.actor; }), '/ required'],
    ['an actor without id', change('admin', (e) => { delete e.actor.id; }), '/actor required'],
    ['an unknown outcome', change('admin', (e) => { e.outcome = 'ok'; }), '/outcome enum'],
    ['an action that is not dotted lowercase words', change('admin', (e) => { e.action = 'Grant Role'; }), '/action pattern'],
    ['a wrong event kind', change('admin', (e) => { e.event.kind = 'log'; }), '/event/kind const'],
    ['an unknown category', change('admin', (e) => { e.event.category = 'misc'; }), '/event/category enum'],
    ['an all-zero trace id', change('admin', (e) => { e.trace_id = '0'.repeat(32); }), '/trace_id not'],
    ['an upper-case trace id', change('admin', (e) => { e.trace_id = e.trace_id.toUpperCase(); }), '/trace_id pattern'],
    ['a short span id', change('admin', (e) => { e.span_id = 'abc'; }), '/span_id pattern'],
    ['an unknown top-level field', change('admin', (e) => { e.password = 'x'; }), '/ additionalProperties'],
    ['an authentication event without method', change('authentication', (e) => { delete e.authentication; }), '/ required'],
    ['an authorization event without a decision', change('authorization', (e) => { delete e.authorization; }), '/ required'],
    ['an authorization event without resource', change('authorization', (e) => { delete e.resource; }), '/ required'],
    ['a configuration change without resource', change('configuration', (e) => { delete e.resource; }), '/ required'],
    ['personal-data access without data categories', change('data_access', (e) => { delete e.data.categories; }), '/data required'],
    ['an export without destination', change('export', (e) => { delete e.data.destination; }), '/data required'],
    ['a retention action without policy', change('retention', (e) => { delete e.data.retention_policy; }), '/data required'],
    ['an erasure without subject', change('erasure', (e) => { delete e.data.subject_id; }), '/data required'],
    ['a client ip that is not an address', change('authentication', (e) => { e.client.ip = 'localhost'; }), '/client/ip anyOf'],
    ['a schema_version other than 1', change('erasure', (e) => { e.schema_version = '2'; }), '/schema_version enum'],
  ])('rejects %s', (_name, event, expected) => {
    expect(errorsOf(event)).toContain(expected);
  });
});

describe('docs/what-to-log.md', () => {
  it('its example event is valid against the shipped schema', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile('docs/what-to-log.md', 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(text)?.[1];
    expect(example).toBeDefined();
    expect(errorsOf(JSON.parse(example!))).toEqual([]);
  });
});

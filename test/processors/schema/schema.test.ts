import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { schemaProcessorFactory } from '../../../src/processors/schema/index.ts';
import type { LogRecord } from '../../../src/core/record.ts';
import { startAgent, tempDir } from '../../helpers/agent.ts';
import { memoryExporters, memoryReceivers } from '../../helpers/memory.ts';
import { harness } from './harness.ts';
import { validEvents } from './events.ts';

const AUDIT = { name: 'audit-v1', file: 'config/schemas/audit-event.v1.json', match: { body: { 'event.kind': 'audit' } } };
const ERRORS = 'custody.schema.errors';

const record = (body: unknown, extra: Partial<LogRecord> = {}): LogRecord => ({ body: structuredClone(body) as LogRecord['body'], ...extra });
const invalidAudit = () => record({ ...validEvents.authentication, timestamp: '2026-11-22T11:00:00+01:00', actor: { type: 'user' } });

describe('schema processor: on_invalid', () => {
  it('passes valid records untouched and tags invalid ones with ajv messages (tag, the default)', async () => {
    const h = await harness(schemaProcessorFactory, { schemas: [AUDIT] });
    const valid = record(validEvents.authentication);
    const out = await h.run([valid, invalidAudit()]);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual(record(validEvents.authentication));
    const errors = out[1]!.attributes?.[ERRORS] as string;
    expect(errors).toMatch(/^audit-v1: /);
    expect(errors).toContain("/actor must have required property 'id'");
    expect(errors).toContain('/timestamp must match pattern');
    expect(h.dropped.size).toBe(0);
  });

  it('drop: invalid records are not passed on and are counted as schema_invalid', async () => {
    const h = await harness(schemaProcessorFactory, { schemas: [AUDIT], on_invalid: 'drop' });
    const out = await h.run([invalidAudit(), record(validEvents.export), invalidAudit()]);
    expect(out.map((r) => (r.body as { action: string }).action)).toEqual(['data.export']);
    expect(h.dropped.get('schema_invalid')).toBe(2);
  });

  it('dead_letter: invalid records go to the named exporter with their errors, and not on', async () => {
    const h = await harness(schemaProcessorFactory, { schemas: [AUDIT], on_invalid: 'dead_letter', dead_letter: 'file/invalid' }, { exporters: ['file/invalid'] });
    const out = await h.run([record(validEvents.admin), invalidAudit()]);
    expect(out).toHaveLength(1);
    expect(h.routed).toHaveLength(1);
    expect(h.routed[0]!.exporter).toBe('file/invalid');
    expect(h.routed[0]!.record.attributes?.[ERRORS]).toContain("must have required property 'id'");
  });

  it('dead_letter end to end: the invalid record lands in the dead-letter file, the valid one in the main one', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/dl: {} }
processors:
  schema:
    schemas:
      - { name: audit-v1, file: ${join(process.cwd(), 'config/schemas/audit-event.v1.json')}, match: { body: { event.kind: audit } } }
    on_invalid: dead_letter
    dead_letter: file/invalid
exporters:
  file: { path: ${join(dir, 'audit.jsonl')} }
  file/invalid: { path: ${join(dir, 'invalid.jsonl')} }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/dl], processors: [schema], exporters: [file] } }
`, { cwd: dir });
    await memoryReceivers.get('memory/dl')!.push([record(validEvents.retention), invalidAudit(), record('plain text line')]);
    const main = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const dead = (await readFile(join(dir, 'invalid.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(main.map((r) => r.body.action ?? r.body)).toEqual(['retention.purge', 'plain text line']);
    expect(dead).toHaveLength(1);
    expect(dead[0].attributes[ERRORS]).toMatch(/^audit-v1: /);
    const metrics = await agent.telemetry.render();
    expect(metrics).toMatch(/custody_processor_routed_records_total\{processor="schema",pipeline="logs",exporter="file\/invalid"\} 1/);
    expect(metrics).toMatch(/custody_schema_records_total\{processor="schema",pipeline="logs",schema="audit-v1",result="valid"\} 1/);
    expect(metrics).toMatch(/custody_schema_records_total\{processor="schema",pipeline="logs",schema="audit-v1",result="invalid"\} 1/);
    expect(metrics).toMatch(/custody_schema_unmatched_records_total\{processor="schema",pipeline="logs"\} 1/);
    await agent.stop();
  });
});

describe('schema processor: matching', () => {
  it('records no entry matches pass untouched unless require_match', async () => {
    const loose = await harness(schemaProcessorFactory, { schemas: [AUDIT] });
    const other = record({ event: { kind: 'metric' } });
    expect(await loose.run([other, record('text')])).toEqual([record({ event: { kind: 'metric' } }), record('text')]);

    const strict = await harness(schemaProcessorFactory, { schemas: [AUDIT], require_match: true, on_invalid: 'tag' });
    const out = await strict.run([record({ event: { kind: 'metric' } }), record(validEvents.authentication)]);
    expect(out[0]!.attributes?.[ERRORS]).toBe('no schema entry matches this record');
    expect(out[1]!.attributes).toBeUndefined();
  });

  it('the first entry whose match holds applies; an entry without match applies to everything', async () => {
    const h = await harness(schemaProcessorFactory, {
      schemas: [
        { name: 'only-a', schema: { type: 'object', required: ['a'] }, match: { attributes: { kind: 'a' } } },
        { name: 'any', schema: { type: 'object', required: ['z'] } },
      ],
    });
    const out = await h.run([record({ a: 1 }, { attributes: { kind: 'a' } }), record({ a: 1 }, { attributes: { kind: 'b' } })]);
    expect(out[0]!.attributes?.[ERRORS]).toBeUndefined();
    expect(out[1]!.attributes?.[ERRORS]).toBe("any: / must have required property 'z'");
  });

  it('field validates a body field instead of the body; a missing field is invalid', async () => {
    const h = await harness(schemaProcessorFactory, {
      schemas: [{ name: 'payload', field: 'msg.payload', schema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } }],
    });
    const out = await h.run([
      record({ msg: { payload: { id: 3 } }, other: 'x' }),
      record({ msg: { payload: { id: 'x' } } }),
      record({ msg: {} }),
    ]);
    expect(out[0]!.attributes).toBeUndefined();
    expect(out[1]!.attributes?.[ERRORS]).toBe('payload: /id must be integer');
    expect(out[2]!.attributes?.[ERRORS]).toBe('payload: field "msg.payload" is missing');
  });

  it('text bodies fail an object schema with a clear message', async () => {
    const h = await harness(schemaProcessorFactory, { schemas: [{ name: 'obj', schema: { type: 'object' } }] });
    const [out] = await h.run([record('not json')]);
    expect(out!.attributes?.[ERRORS]).toBe('obj: / must be object');
  });
});

describe('schema processor: versions', () => {
  const v1 = { type: 'object', required: ['user'], properties: { kind: {}, schema_version: {}, user: { type: 'string' } }, additionalProperties: false };
  const v2 = { type: 'object', required: ['actor'], properties: { kind: {}, schema_version: {}, actor: { type: 'object' } }, additionalProperties: false };
  const match = { body: { kind: 'login' } };

  it("the event's schema_version picks among entries of one name; no version takes the first", async () => {
    const h = await harness(schemaProcessorFactory, {
      schemas: [
        { name: 'login', version: 1, schema: v1, match },
        { name: 'login', version: '2', schema: v2, match },
      ],
    });
    const out = await h.run([
      record({ kind: 'login', schema_version: 1, user: 'ann' }),
      record({ kind: 'login', schema_version: '2', actor: { id: 'ann' } }),
      record({ kind: 'login', schema_version: '2', user: 'ann' }),
      record({ kind: 'login', user: 'old-producer' }),
      record({ kind: 'login', schema_version: 3, user: 'ann' }),
      record({ kind: 'login', actor: {} }, { attributes: { schema_version: '2' } }),
    ]);
    expect(out.map((r) => r.attributes?.[ERRORS] ?? 'ok')).toEqual([
      'ok',
      'ok',
      "login@2: / must have required property 'actor'; / must not have property \"user\"",
      'ok',
      'login: schema_version "3" is not a known version (known: 1, 2)',
      'ok',
    ]);
  });

  it('an entry without a version catches versions no entry names', async () => {
    const h = await harness(schemaProcessorFactory, {
      schemas: [
        { name: 'login', version: 2, schema: v2, match },
        { name: 'login', schema: v1, match },
      ],
    });
    const out = await h.run([record({ kind: 'login', schema_version: 9, user: 'x' }), record({ kind: 'login', user: 'x' })]);
    expect(out.map((r) => r.attributes?.[ERRORS] ?? 'ok')).toEqual(['ok', 'ok']);
  });

  it('version_field names another field', async () => {
    const h = await harness(schemaProcessorFactory, {
      version_field: 'meta.v',
      schemas: [{ name: 'e', version: 'a', schema: { required: ['a'] } }, { name: 'e', version: 'b', schema: { required: ['b'] } }],
    });
    const out = await h.run([record({ meta: { v: 'b' }, b: 1 }), record({ meta: { v: 'b' }, a: 1 })]);
    expect(out.map((r) => r.attributes?.[ERRORS] ?? 'ok')).toEqual(['ok', "e@b: / must have required property 'b'"]);
  });
});

describe('schema processor: details', () => {
  it('trims the errors text to max_error_length', async () => {
    const properties = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field_${i}`, { type: 'integer' }]));
    const h = await harness(schemaProcessorFactory, { max_error_length: 120, schemas: [{ name: 'wide', schema: { type: 'object', properties } }] });
    const body = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field_${i}`, 'text']));
    const [out] = await h.run([record(body)]);
    const text = out!.attributes?.[ERRORS] as string;
    expect(text.length).toBeLessThanOrEqual(120);
    expect(text).toMatch(/^wide: \/field_0 must be integer; /);
    expect(text).toMatch(/more\)$/);
  });

  it('schema patterns run on RE2: a catastrophic pattern stays fast', async () => {
    const h = await harness(schemaProcessorFactory, { schemas: [{ name: 'p', schema: { properties: { s: { type: 'string', pattern: '^(a|aa)+$' } } } }] });
    const started = performance.now();
    const [out] = await h.run([record({ s: 'a'.repeat(50_000) + 'b' })]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out!.attributes?.[ERRORS]).toMatch(/must match pattern/);
  });

  it('reads YAML schema files and supports draft-07', async () => {
    const dir = await tempDir();
    const file = join(dir, 'thing.yaml');
    await writeFile(file, '$schema: "http://json-schema.org/draft-07/schema#"\ntype: object\nrequired: [id]\nproperties:\n  id: { type: string, format: uuid }\n');
    const h = await harness(schemaProcessorFactory, { schemas: [{ name: 'thing', file }] });
    const out = await h.run([record({ id: '9b2f3f5e-4c43-4a4e-9b66-0e3f1c4d2a10' }), record({ id: 'nope' })]);
    expect(out[0]!.attributes).toBeUndefined();
    expect(out[1]!.attributes?.[ERRORS]).toBe('thing: /id must match format "uuid"');
  });

  it('keeps existing attributes when tagging', async () => {
    const h = await harness(schemaProcessorFactory, { schemas: [{ name: 'o', schema: { type: 'object' } }] });
    const [out] = await h.run([record('x', { attributes: { 'log.file.path': '/var/log/a.log' } })]);
    expect(out!.attributes).toEqual({ 'log.file.path': '/var/log/a.log', [ERRORS]: 'o: / must be object' });
  });
});

describe('schema processor: patterns', () => {
  it('keeps every pattern of a schema apart (fast and RE2-run ones alike)', async () => {
    const h = await harness(schemaProcessorFactory, {
      schemas: [{ name: 'p', schema: { properties: { a: { pattern: '^a+$' }, b: { pattern: '^b{2}$' }, c: { pattern: '^(c|cc)+$' }, d: { pattern: '(?i)^d$' } } } }],
    });
    const out = await h.run([record({ a: 'aaa', b: 'bb', c: 'ccc', d: 'D' }), record({ a: 'b', b: 'a', c: 'a', d: 'x' })]);
    expect(out[0]!.attributes).toBeUndefined();
    expect(String(out[1]!.attributes?.[ERRORS]).match(/\/[abcd] must match/g)).toEqual(['/a must match', '/b must match', '/c must match', '/d must match']);
  });
});

describe('schema processor: hostile input', () => {
  it('a record too deep for a recursive schema is invalid, not a failed batch', async () => {
    const h = await harness(schemaProcessorFactory, {
      schemas: [{ name: 'tree', schema: { $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } }, $ref: '#/$defs/node' } }],
    });
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { child: deep };
    const out = await h.run([record({ child: { child: {} } }), { body: deep as LogRecord['body'] }]);
    expect(out).toHaveLength(2);
    expect(out[0]!.attributes).toBeUndefined();
    expect(out[1]!.attributes?.[ERRORS]).toMatch(/^tree: could not be validated: Maximum call stack size exceeded/);
  });
});

/**
 * Picks the schema a record is validated against.
 *
 * 1. Entries are tried in config order; the first whose `match` holds names the schema.
 * 2. Entries that share that name are versions of one schema. The record's version is read
 *    from `version_field` in the validated value (the body, or the entry's `field`), else
 *    from the attribute of that name, and compared as text (`1` and `"1"` are the same):
 *    - a version that an entry carries picks that entry;
 *    - otherwise the entry of that name without a `version` (the catch-all) if there is one;
 *    - a record with no version at all takes the catch-all, else the first entry listed;
 *    - a version no entry knows, with no catch-all, makes the record invalid.
 * So old and new producers coexist: list `{name: audit, version: 1}` and
 * `{name: audit, version: 2}`, and each event is checked against the version it declares.
 */
import type { ValidateFunction } from 'ajv';
import type { JsonValue, LogRecord } from '../../core/record.ts';
import { bodyFieldGetter, compileCondition, keyGetter, type RecordPredicate, type ValueGetter } from '../../core/conditions.ts';
import type { SchemaEntryConfig } from './config.ts';

export interface SchemaEntry {
  name: string;
  version: string | undefined;
  /** `name` or `name@version`: what errors and metrics call it. */
  label: string;
  match: RecordPredicate;
  /** The body field to validate; undefined validates the whole body. */
  field: string | undefined;
  target: (record: LogRecord) => JsonValue | undefined;
  validate: ValidateFunction;
}

interface Group {
  entries: SchemaEntry[];
  catchAll: SchemaEntry | undefined;
  byVersion: Map<string, SchemaEntry>;
}

export type Selection = { entry: SchemaEntry; error?: undefined } | { entry?: undefined; error: string; label: string };

export class SchemaSelector {
  readonly entries: SchemaEntry[];
  private readonly groups = new Map<string, Group>();
  private readonly versionInValue: ValueGetter;
  private readonly versionInAttributes: ValueGetter;
  private readonly versionField: string;

  constructor(configs: readonly SchemaEntryConfig[], validators: readonly ValidateFunction[], versionField: string) {
    this.versionField = versionField;
    this.versionInValue = bodyFieldGetter(versionField);
    this.versionInAttributes = keyGetter(versionField);
    this.entries = configs.map((c, i) => {
      const version = c.version === undefined ? undefined : String(c.version);
      const field = c.field;
      const getField = field === undefined ? undefined : bodyFieldGetter(field);
      return {
        name: c.name,
        version,
        label: version === undefined ? c.name : `${c.name}@${version}`,
        match: c.match ? compileCondition(c.match) : () => true,
        field,
        target: getField ? (r: LogRecord) => getField(r.body) : (r: LogRecord) => r.body,
        validate: validators[i]!,
      };
    });
    for (const entry of this.entries) {
      let group = this.groups.get(entry.name);
      if (!group) this.groups.set(entry.name, (group = { entries: [], catchAll: undefined, byVersion: new Map() }));
      group.entries.push(entry);
      if (entry.version === undefined) group.catchAll ??= entry;
      else if (!group.byVersion.has(entry.version)) group.byVersion.set(entry.version, entry);
    }
  }

  /** The entry for a record, an error (unknown version), or undefined when no entry matches. */
  select(record: LogRecord): Selection | undefined {
    let first: SchemaEntry | undefined;
    for (const entry of this.entries) {
      if (entry.match(record)) {
        first = entry;
        break;
      }
    }
    if (!first) return undefined;
    const group = this.groups.get(first.name)!;
    if (group.entries.length === 1) return { entry: first };
    const version = this.recordVersion(record, first);
    if (version === undefined) return { entry: group.catchAll ?? group.entries[0]! };
    const exact = group.byVersion.get(version);
    if (exact) return { entry: exact };
    if (group.catchAll) return { entry: group.catchAll };
    return {
      error: `${first.name}: ${this.versionField} ${JSON.stringify(version)} is not a known version (known: ${[...group.byVersion.keys()].join(', ')})`,
      label: first.name,
    };
  }

  private recordVersion(record: LogRecord, entry: SchemaEntry): string | undefined {
    let v = this.versionInValue(entry.target(record));
    if (v === undefined) v = this.versionInAttributes(record.attributes);
    if (typeof v === 'string') return v.length <= 64 ? v : v.slice(0, 64);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }
}

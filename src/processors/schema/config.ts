/** `schema` processor: config shape, schema and defaults (one place for validator and docs). */
import type { JsonSchema } from '../../core/component.ts';
import { conditionSchema, type Condition } from '../../core/conditions.ts';
import { bool, int, object, oneOf, str } from '../../config/schemas.ts';

export type OnInvalid = 'drop' | 'tag' | 'dead_letter';

export interface SchemaEntryConfig {
  name: string;
  file?: string;
  schema?: Record<string, unknown>;
  match?: Condition;
  field?: string;
  version?: string | number;
}

export interface SchemaProcessorConfig {
  schemas: SchemaEntryConfig[];
  require_match: boolean;
  on_invalid: OnInvalid;
  dead_letter?: string;
  version_field: string;
  max_error_length: number;
}

/** The attribute an invalid record carries (contract). */
export const ERRORS_ATTRIBUTE = 'custody.schema.errors';

const entrySchema = object({
  name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', 'x-doc': 'schema name (a metric label); entries sharing a name are versions of one schema' },
  file: str('JSON (or YAML) file holding the JSON Schema, relative to the working directory'),
  schema: { type: 'object', 'x-doc': 'the JSON Schema inline, instead of file' },
  match: { ...conditionSchema, 'x-doc': 'condition a record must meet for this entry to apply; absent: every record' },
  field: { type: 'string', minLength: 1, 'x-doc': 'validate this body field (key, then dotted path) instead of the whole body' },
  version: { type: ['string', 'number'], 'x-doc': 'the schema_version value this entry validates' },
}, ['name']);

export const configSchema: JsonSchema = object({
  schemas: { type: 'array', items: entrySchema, 'x-doc': 'schemas, tried in order; the first entry whose match holds picks the schema name' },
  require_match: bool('a record that no entry matches is invalid'),
  on_invalid: oneOf(['drop', 'tag', 'dead_letter'], 'what happens to an invalid record'),
  dead_letter: str('exporter id invalid records go to when on_invalid is dead_letter'),
  version_field: { type: 'string', minLength: 1, 'x-doc': 'field of the validated value (then attribute) whose value picks among versions' },
  max_error_length: int(64, 'longest custody.schema.errors text, in characters'),
});

export const defaults = (): Record<string, unknown> => ({
  schemas: [],
  require_match: false,
  on_invalid: 'tag',
  version_field: 'schema_version',
  max_error_length: 1024,
});

/** `sample` processor: config shape, schema and defaults. */
import type { JsonSchema } from '../../core/component.ts';
import { conditionListSchema, type Condition } from '../../core/conditions.ts';
import { bool, int, object } from '../../config/schemas.ts';

export interface RateLimitConfig {
  records_per_second: number;
  burst: number;
  key: string;
  max_keys: number;
}

export interface SampleConfig {
  ratio: number;
  seed: number;
  keep: Condition[];
  keep_schema_invalid: boolean;
  hash_field: string;
  rate_limit: RateLimitConfig;
}

export const configSchema: JsonSchema = object({
  ratio: { type: 'number', minimum: 0, maximum: 1, 'x-doc': 'share kept of the records no keep rule holds for (steps of 1/16384)' },
  seed: { type: 'integer', minimum: 0, maximum: 4294967295, 'x-doc': 'hash seed; nodes with the same seed and ratio keep the same traces' },
  keep: { ...conditionListSchema, 'x-doc': 'conditions; a record any of them holds for is never sampled or rate limited' },
  keep_schema_invalid: bool('never sample a record carrying custody.schema.errors (it failed its schema)'),
  hash_field: { type: 'string', 'x-doc': 'for records without a trace id: field whose value decides (attributes.<key>, resource.<key>, body.<field>); empty or absent value: random' },
  rate_limit: object({
    records_per_second: { type: 'number', minimum: 0, 'x-doc': 'records a key may pass per second after sampling; 0 turns rate limiting off' },
    burst: int(0, 'records a key may pass at once; 0 means records_per_second (at least 1)'),
    key: { type: 'string', minLength: 1, 'x-doc': 'field whose value names the bucket (records without it share one)' },
    max_keys: int(1, 'buckets kept; past that the least recently used key is forgotten'),
  }),
});

export const defaults = (): Record<string, unknown> => ({
  ratio: 1,
  seed: 0,
  keep: [],
  keep_schema_invalid: true,
  hash_field: '',
  rate_limit: { records_per_second: 0, burst: 0, key: 'resource.service.name', max_keys: 10000 },
});

/**
 * The JSON Schema of a condition, for processors' config schemas, and `validateCondition`,
 * which finds everything the schema cannot (patterns that RE2 refuses) and reports it at
 * its path, so `custody validate` points at the YAML line of a bad regex.
 *
 * The value-test schema uses if/then/else rather than anyOf: the config loader drops the
 * `if` summary errors, so a user sees one precise message instead of one per branch.
 */
import type { ConfigIssue, JsonSchema } from '../component.ts';
import { OPERATORS, compilePattern, isScalar } from './value-test.ts';

const scalarSchema: JsonSchema = { type: ['string', 'number', 'boolean', 'null'] };

export const valueTestSchema: JsonSchema = {
  if: { type: 'object' },
  then: {
    type: 'object',
    properties: {
      gte: { type: 'number' },
      gt: { type: 'number' },
      lte: { type: 'number' },
      lt: { type: 'number' },
      exists: { type: 'boolean' },
      matches: { type: 'string' },
    },
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
  },
  else: {
    if: { type: 'array' },
    then: { type: 'array', items: scalarSchema, minItems: 1 },
    else: scalarSchema,
  },
};

const fieldMapSchema: JsonSchema = {
  type: 'object',
  additionalProperties: valueTestSchema,
  'x-doc': 'field name -> value test',
};

/** A condition: holds when all its entries hold. */
export const conditionSchema: JsonSchema = {
  type: 'object',
  properties: {
    severity_number: valueTestSchema,
    severity_text: valueTestSchema,
    body: fieldMapSchema,
    attributes: fieldMapSchema,
    resource: fieldMapSchema,
  },
  additionalProperties: false,
  'x-doc': 'holds when all of severity_number, severity_text, body, attributes, resource hold',
};

/** A list of conditions: holds when any of them holds. */
export const conditionListSchema: JsonSchema = { type: 'array', items: conditionSchema };

const FIELD_MAPS = ['body', 'attributes', 'resource'] as const;
const VALUE_KEYS = ['severity_number', 'severity_text'] as const;

/** Every problem with a condition, each at its path (`path` is where the condition sits). */
export function validateCondition(condition: unknown, path: (string | number)[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isPlainObject(condition)) {
    return [{ path, message: 'a condition must be a map of severity_number, severity_text, body, attributes, resource' }];
  }
  for (const [key, value] of Object.entries(condition)) {
    if ((VALUE_KEYS as readonly string[]).includes(key)) {
      issues.push(...validateValueTest(value, [...path, key]));
    } else if ((FIELD_MAPS as readonly string[]).includes(key)) {
      if (!isPlainObject(value)) {
        issues.push({ path: [...path, key], message: `${key} must be a map of field name to value test` });
        continue;
      }
      for (const [field, test] of Object.entries(value)) {
        if (field === '') issues.push({ path: [...path, key, field], message: 'field name must not be empty' });
        issues.push(...validateValueTest(test, [...path, key, field]));
      }
    } else {
      issues.push({ path: [...path, key], message: `unknown key "${key}" (a condition takes ${[...VALUE_KEYS, ...FIELD_MAPS].join(', ')})` });
    }
  }
  return issues;
}

/** Every problem with a value test at `path`. */
export function validateValueTest(test: unknown, path: (string | number)[]): ConfigIssue[] {
  if (isScalar(test)) return [];
  if (Array.isArray(test)) {
    if (test.length === 0) return [{ path, message: 'an empty list never holds; list at least one value' }];
    return test.flatMap((item, i) => (isScalar(item) ? [] : [{ path: [...path, i], message: 'list items must be strings, numbers, booleans or null' }]));
  }
  if (!isPlainObject(test)) return [{ path, message: 'must be a value, a list of values, or one operator' }];
  const keys = Object.keys(test);
  if (keys.length !== 1) {
    return [{ path, message: `a value test takes exactly one operator (${OPERATORS.join(', ')}), found ${keys.length}` }];
  }
  const op = keys[0]!;
  const arg = test[op];
  const at = [...path, op];
  switch (op) {
    case 'gte': case 'gt': case 'lte': case 'lt':
      return typeof arg === 'number' && Number.isFinite(arg) ? [] : [{ path: at, message: `${op} takes a number` }];
    case 'exists':
      return typeof arg === 'boolean' ? [] : [{ path: at, message: 'exists takes true or false' }];
    case 'matches':
      try {
        compilePattern(arg);
        return [];
      } catch (e) {
        return [{ path: at, message: (e as Error).message }];
      }
    default:
      return [{ path: at, message: `unknown operator "${op}" (expected one of ${OPERATORS.join(', ')})` }];
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One ajv instance for every config schema, with custody's keywords:
 * - `sizeBytes: true`  accepts `512KiB`, `64MiB`, `1GiB` or a byte count; yields bytes.
 * - `durationMs: true` accepts `200ms`, `10s`, `5m`, `1h30m` or milliseconds; yields ms.
 * Both rewrite the value in place, so components receive plain numbers.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import { parseDuration, parseSize } from '../core/units.ts';
import type { JsonSchema } from '../core/component.ts';

type KeywordValidate = ((schema: boolean, data: unknown, parentSchema?: unknown, cxt?: DataValidationCxt) => boolean) & {
  errors?: Partial<ErrorObject>[];
};

function unitKeyword(keyword: string, parse: (v: string | number) => number | undefined, message: string): KeywordValidate {
  const validate: KeywordValidate = (schema, data, _parent, cxt) => {
    if (!schema) return true;
    const parsed = typeof data === 'string' || typeof data === 'number' ? parse(data) : undefined;
    if (parsed === undefined) {
      validate.errors = [{ keyword, message, params: {} }];
      return false;
    }
    if (cxt?.parentData && cxt.parentDataProperty !== undefined) {
      (cxt.parentData as Record<string | number, unknown>)[cxt.parentDataProperty] = parsed;
    }
    return true;
  };
  return validate;
}

export const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });

ajv.addKeyword({
  keyword: 'sizeBytes',
  modifying: true,
  schemaType: 'boolean',
  errors: true,
  validate: unitKeyword('sizeBytes', parseSize, 'must be a size such as 512KiB, 64MiB or 1GiB'),
});
ajv.addKeyword({
  keyword: 'durationMs',
  modifying: true,
  schemaType: 'boolean',
  errors: true,
  validate: unitKeyword('durationMs', parseDuration, 'must be a duration such as 200ms, 10s or 5m'),
});
// Documentation-only annotation used by the docs generator.
ajv.addKeyword({ keyword: 'x-doc', schemaType: 'string' });

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

export function compileSchema(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** ajv's error as a key path (relative to the validated value) and a message. */
export function describeAjvError(error: ErrorObject): { path: (string | number)[]; message: string; atKey: boolean } {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      return { path: [...path, key], message: `unknown key "${key}"`, atKey: true };
    }
    case 'required':
      return { path, message: `missing required key "${(error.params as { missingProperty: string }).missingProperty}"`, atKey: false };
    case 'enum':
      return { path, message: `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`, atKey: false };
    case 'const':
      return { path, message: `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`, atKey: false };
    default:
      return { path, message: error.message ?? 'is invalid', atKey: false };
  }
}

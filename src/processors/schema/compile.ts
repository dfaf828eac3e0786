/**
 * Loads and compiles the JSON Schemas records are validated against. This ajv is not the
 * config's: user schemas get their own instance per entry (so two files may share an
 * `$id`), ajv-formats, all errors, and linear-time `pattern` keywords (RE2 semantics) so
 * a schema's regex cannot backtrack for ever on hostile input.
 *
 * Drafts: `$schema` picks draft 2020-12 (also the default when absent), 2019-09 or
 * draft-07. Strict schema mode is on: an unknown keyword or format is an error, so a typo
 * cannot silently weaken validation. `$ref` resolves inside the document only.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Ajv, type ErrorObject, type Options, type ValidateFunction, type AnySchemaObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { compileLinearRegExp } from '../../core/conditions/linear-regex.ts';

// ajv-formats is CommonJS with `exports.default`; under Node's ESM interop either shape may come back.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

// Schema patterns are RE2 syntax and linear time; provably linear ones run on V8 (fast),
// the rest on RE2. See src/core/conditions/linear-regex.ts.
const linearEngine = ((pattern: string) => compileLinearRegExp(pattern)) as unknown as RegExpEngine;
linearEngine.code = 'compileLinearRegExp';

const DRAFTS: Record<string, (opts: Options) => Ajv> = {
  'https://json-schema.org/draft/2020-12/schema': (o) => new Ajv2020(o) as unknown as Ajv,
  'https://json-schema.org/draft/2019-09/schema': (o) => new Ajv2019(o) as unknown as Ajv,
  'http://json-schema.org/draft-07/schema': (o) => new Ajv(o),
};

const OPTIONS: Options = {
  allErrors: true,
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  validateFormats: true,
  logger: false,
  code: { regExp: linearEngine },
};

/** A problem with a schema document; `path` points inside an inline schema when known. */
export class SchemaDocumentError extends Error {
  readonly path: (string | number)[];
  constructor(message: string, path: (string | number)[] = []) {
    super(message);
    this.path = path;
  }
}

/** Reads a schema file (JSON, or YAML for .yaml/.yml); throws SchemaDocumentError. */
export function readSchemaFile(absolutePath: string): AnySchemaObject {
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SchemaDocumentError(code === 'ENOENT' ? `schema file ${absolutePath} does not exist` : `cannot read schema file ${absolutePath}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    const ext = extname(absolutePath).toLowerCase();
    doc = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new SchemaDocumentError(`schema file ${absolutePath} is not valid ${/\.ya?ml$/i.test(absolutePath) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SchemaDocumentError(`schema file ${absolutePath} must hold a JSON Schema object`);
  }
  return doc as AnySchemaObject;
}

/** Compiles a schema document into a validator; throws SchemaDocumentError saying where it is wrong. */
export function compileSchemaDocument(schema: AnySchemaObject): ValidateFunction {
  const declared = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '') : 'https://json-schema.org/draft/2020-12/schema';
  const make = DRAFTS[declared];
  if (!make) {
    throw new SchemaDocumentError(`unsupported $schema "${String(schema.$schema)}" (supported: draft 2020-12, 2019-09, draft-07)`, ['$schema']);
  }
  const ajv = make(OPTIONS);
  addFormats(ajv);
  if (!ajv.validateSchema(schema)) {
    const first = (ajv.errors ?? [])[0];
    throw new SchemaDocumentError(`not a valid JSON Schema: ${first ? schemaErrorText(first) : 'rejected by the meta-schema'}`, first ? pointerToPath(first.instancePath) : []);
  }
  try {
    return ajv.compile(schema);
  } catch (e) {
    throw new SchemaDocumentError(`cannot compile schema: ${(e as Error).message}`);
  }
}

function schemaErrorText(error: ErrorObject): string {
  const at = error.instancePath === '' ? '' : `${error.instancePath}: `;
  if (error.keyword === 'enum') return `${at}must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${at}${error.message ?? 'is invalid'}`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

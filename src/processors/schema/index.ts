/**
 * `schema` processor factory. `validate` reads and compiles every schema once so that a
 * missing file, a malformed document or an RE2-incompatible pattern is a config error at
 * its YAML path (`processors.schema.schemas[0].file`), before anything starts.
 */
import type { ConfigIssue, ProcessorFactory, ValidateContext } from '../../core/component.ts';
import { validateCondition } from '../../core/conditions.ts';
import { compileSchemaDocument, readSchemaFile, SchemaDocumentError } from './compile.ts';
import { configSchema, defaults, type SchemaProcessorConfig } from './config.ts';
import { SchemaProcessor } from './processor.ts';

export { ERRORS_ATTRIBUTE } from './config.ts';
export type { SchemaProcessorConfig } from './config.ts';

function validate(config: SchemaProcessorConfig, ctx: ValidateContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.on_invalid === 'dead_letter') {
    if (config.dead_letter === undefined) {
      issues.push({ path: ['dead_letter'], message: 'on_invalid: dead_letter needs dead_letter: <exporter id>' });
    } else if (!ctx.componentIds.exporters.includes(config.dead_letter)) {
      issues.push({ path: ['dead_letter'], message: `exporter "${config.dead_letter}" is not defined under exporters` });
    }
  } else if (config.dead_letter !== undefined) {
    issues.push({ path: ['dead_letter'], message: `dead_letter is only used with on_invalid: dead_letter (on_invalid is ${config.on_invalid})` });
  }
  const seen = new Map<string, number>();
  config.schemas.forEach((entry, i) => {
    const at = ['schemas', i];
    const key = `${entry.name}\0${entry.version === undefined ? '' : String(entry.version)}`;
    if (seen.has(key)) {
      const what = entry.version === undefined ? `schema "${entry.name}" without a version` : `schema "${entry.name}" version ${String(entry.version)}`;
      issues.push({ path: [...at, entry.version === undefined ? 'name' : 'version'], message: `${what} is already defined at schemas[${seen.get(key)}]` });
    } else {
      seen.set(key, i);
    }
    if (entry.match !== undefined) issues.push(...validateCondition(entry.match, [...at, 'match']));
    if ((entry.file === undefined) === (entry.schema === undefined)) {
      issues.push({ path: at, message: 'set exactly one of file or schema' });
      return;
    }
    const source = entry.file !== undefined ? 'file' : 'schema';
    try {
      compileSchemaDocument(entry.file !== undefined ? readSchemaFile(ctx.resolvePath(entry.file)) : entry.schema!);
    } catch (e) {
      if (!(e instanceof SchemaDocumentError)) throw e;
      // Inside an inline schema the error can point at the offending key; in a file, the message says where.
      issues.push({ path: source === 'schema' ? [...at, 'schema', ...e.path] : [...at, 'file'], message: e.message });
    }
  });
  return issues;
}

export const schemaProcessorFactory: ProcessorFactory<SchemaProcessorConfig> = {
  kind: 'processor',
  type: 'schema',
  configSchema,
  defaults,
  validate,
  create: (config, ctx) => new SchemaProcessor(config, ctx),
};

/**
 * The `schema` processor: validates each record's body (or a body field) against the JSON
 * Schema its entry selects, and handles invalid records per `on_invalid`:
 * - `drop`: not passed on, counted as dropped with reason `schema_invalid`;
 * - `tag`: passed on with `attributes["custody.schema.errors"]` (sample keeps these by
 *   default, so a failing record is never sampled away);
 * - `dead_letter`: tagged the same way and routed to the `dead_letter` exporter instead of
 *   going on; the batch is acknowledged only once that exporter has it too.
 * Schemas are read and compiled once, at start.
 */
import type { CreateContext, Host, ProcessContext, Processor } from '../../core/component.ts';
import type { LogRecord } from '../../core/record.ts';
import { compileSchemaDocument, readSchemaFile } from './compile.ts';
import { ERRORS_ATTRIBUTE, type OnInvalid, type SchemaProcessorConfig } from './config.ts';
import { clip, schemaErrorsText } from './errors-text.ts';
import { SchemaSelector, type SchemaEntry } from './select.ts';

export class SchemaProcessor implements Processor {
  private readonly config: SchemaProcessorConfig;
  private readonly ctx: CreateContext;
  private readonly onInvalid: OnInvalid;
  private selector: SchemaSelector | undefined;
  private readonly counted;
  private readonly unmatched;
  /** Per-batch tallies by entry label, flushed to the counters once per batch. */
  private readonly tally = new Map<string, { valid: number; invalid: number }>();

  constructor(config: SchemaProcessorConfig, ctx: CreateContext) {
    this.config = config;
    this.ctx = ctx;
    this.onInvalid = config.on_invalid;
    const pipeline = ctx.pipeline ?? '';
    this.counted = ctx.telemetry.counter('custody_schema_records_total', 'Records the schema processor validated, by schema and result (valid or invalid)', ['processor', 'pipeline', 'schema', 'result']);
    this.unmatched = ctx.telemetry.counter('custody_schema_unmatched_records_total', 'Records no schema entry matched', ['processor', 'pipeline']).labels(ctx.id, pipeline);
  }

  async start(host: Host): Promise<void> {
    const validators = this.config.schemas.map((entry) =>
      compileSchemaDocument(entry.file !== undefined ? readSchemaFile(this.ctx.resolvePath(entry.file)) : entry.schema!));
    this.selector = new SchemaSelector(this.config.schemas, validators, this.config.version_field);
    if (this.onInvalid === 'dead_letter' && !host.getExporter(this.config.dead_letter!)) {
      throw new Error(`dead_letter exporter "${this.config.dead_letter}" does not exist`);
    }
  }

  process(records: LogRecord[], ctx: ProcessContext): LogRecord[] {
    const selector = this.selector;
    if (!selector) throw new Error('schema processor used before start');
    const maxLength = this.config.max_error_length;
    let kept = 0;
    let unmatched = 0;
    let dropped = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const selection = selector.select(record);
      let errors: string | undefined;
      let label: string;
      if (selection === undefined) {
        unmatched++;
        if (!this.config.require_match) {
          records[kept++] = record;
          continue;
        }
        label = '(none)';
        errors = 'no schema entry matches this record';
      } else if (selection.error !== undefined) {
        label = selection.label;
        errors = clip(selection.error, maxLength);
      } else {
        const { entry } = selection;
        label = entry.label;
        const value = entry.target(record);
        if (value === undefined && entry.field !== undefined) {
          errors = clip(`${label}: field "${entry.field}" is missing`, maxLength);
        } else {
          errors = validateOne(entry, value, maxLength);
        }
      }
      this.count(label, errors === undefined);
      if (errors === undefined) {
        records[kept++] = record;
        continue;
      }
      switch (this.onInvalid) {
        case 'drop':
          dropped++;
          break;
        case 'tag':
          tag(record, errors);
          records[kept++] = record;
          break;
        case 'dead_letter':
          tag(record, errors);
          ctx.route(this.config.dead_letter!, record);
          break;
      }
    }
    records.length = kept;
    if (dropped > 0) ctx.dropped('schema_invalid', dropped);
    if (unmatched > 0) this.unmatched.inc(unmatched);
    this.flush();
    return records;
  }

  async shutdown(): Promise<void> {}

  private count(label: string, valid: boolean): void {
    let t = this.tally.get(label);
    if (!t) this.tally.set(label, (t = { valid: 0, invalid: 0 }));
    if (valid) t.valid++;
    else t.invalid++;
  }

  private flush(): void {
    const pipeline = this.ctx.pipeline ?? '';
    for (const [schema, t] of this.tally) {
      if (t.valid > 0) this.counted.inc({ processor: this.ctx.id, pipeline, schema, result: 'valid' }, t.valid);
      if (t.invalid > 0) this.counted.inc({ processor: this.ctx.id, pipeline, schema, result: 'invalid' }, t.invalid);
      t.valid = 0;
      t.invalid = 0;
    }
  }
}

/** The errors text, or undefined when valid. A validator that throws (a recursive schema on
 * absurdly deep input) makes the record invalid rather than failing the whole batch,
 * which would otherwise be retried for ever. */
function validateOne(entry: SchemaEntry, value: unknown, maxLength: number): string | undefined {
  try {
    return entry.validate(value) ? undefined : schemaErrorsText(entry.label, entry.validate.errors, maxLength);
  } catch (e) {
    return clip(`${entry.label}: could not be validated: ${(e as Error).message}`, maxLength);
  }
}

function tag(record: LogRecord, errors: string): void {
  if (record.attributes) record.attributes[ERRORS_ATTRIBUTE] = errors;
  else record.attributes = { [ERRORS_ATTRIBUTE]: errors };
}

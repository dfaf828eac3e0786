/**
 * The `sample` processor. For each record, in order:
 * 1. a record a `keep` condition holds for passes (never sampled, never rate limited);
 * 2. so does one that failed its schema (`custody.schema.errors`), unless
 *    `keep_schema_invalid: false`;
 * 3. the rest are sampled by `ratio`: by trace id (consistent, see hash.ts), else by
 *    `hash_field`'s value (consistent for that value), else at random (seeded);
 * 4. survivors pass the optional per-key rate limit.
 * Drops are counted by reason (`sampled_out`, `rate_limited`) in the pipeline's
 * dropped-records counter. Sample before hashchain: the chain then covers exactly what is
 * exported, with no gaps a verifier would flag.
 */
import type { CreateContext, ProcessContext, Processor } from '../../core/component.ts';
import type { LogRecord } from '../../core/record.ts';
import { compileAnyCondition, fieldRefGetter, type FieldGetter, type RecordPredicate } from '../../core/conditions.ts';
import type { SampleConfig } from './config.ts';
import { BUCKETS, seedState, seededRandom, thresholdFor, traceBucket, valueBucket } from './hash.ts';
import { KeyedTokenBuckets } from './rate-limiter.ts';

const SCHEMA_ERRORS = 'custody.schema.errors';

export class SampleProcessor implements Processor {
  private readonly keep: RecordPredicate;
  private readonly keepInvalid: boolean;
  private readonly ratio: number;
  private readonly threshold: number;
  private readonly state: number;
  private readonly random: () => number;
  private readonly hashField: FieldGetter | undefined;
  private readonly limiter: KeyedTokenBuckets | undefined;
  private readonly limitKey: FieldGetter | undefined;
  private readonly kept;

  constructor(config: SampleConfig, ctx: CreateContext) {
    this.keep = compileAnyCondition(config.keep);
    this.keepInvalid = config.keep_schema_invalid;
    this.ratio = config.ratio;
    this.threshold = thresholdFor(config.ratio);
    this.state = seedState(config.seed);
    this.random = seededRandom(config.seed);
    this.hashField = config.hash_field ? fieldRefGetter(config.hash_field) : undefined;
    const rl = config.rate_limit;
    if (rl.records_per_second > 0) {
      const burst = rl.burst > 0 ? rl.burst : Math.max(1, Math.ceil(rl.records_per_second));
      this.limiter = new KeyedTokenBuckets(rl.records_per_second, burst, rl.max_keys);
      this.limitKey = fieldRefGetter(rl.key);
    }
    const kept = ctx.telemetry.counter('custody_sample_kept_records_total', 'Records sample passed on, by why: keep_rule, schema_invalid or ratio', ['processor', 'pipeline', 'reason']);
    const labels = { processor: ctx.id, pipeline: ctx.pipeline ?? '' };
    this.kept = {
      rule: kept.labels({ ...labels, reason: 'keep_rule' }),
      invalid: kept.labels({ ...labels, reason: 'schema_invalid' }),
      ratio: kept.labels({ ...labels, reason: 'ratio' }),
    };
  }

  async start(): Promise<void> {}

  process(records: LogRecord[], ctx: ProcessContext): LogRecord[] {
    const now = this.limiter ? performance.now() : 0;
    let out = 0;
    let byRule = 0;
    let byInvalid = 0;
    let byRatio = 0;
    let sampledOut = 0;
    let limited = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (this.keep(record)) {
        byRule++;
        records[out++] = record;
        continue;
      }
      if (this.keepInvalid && record.attributes !== undefined && record.attributes[SCHEMA_ERRORS] !== undefined) {
        byInvalid++;
        records[out++] = record;
        continue;
      }
      if (!this.sampledIn(record)) {
        sampledOut++;
        continue;
      }
      if (this.limiter && !this.limiter.take(keyText(this.limitKey!(record)), now)) {
        limited++;
        continue;
      }
      byRatio++;
      records[out++] = record;
    }
    records.length = out;
    if (sampledOut) ctx.dropped('sampled_out', sampledOut);
    if (limited) ctx.dropped('rate_limited', limited);
    if (byRule) this.kept.rule.inc(byRule);
    if (byInvalid) this.kept.invalid.inc(byInvalid);
    if (byRatio) this.kept.ratio.inc(byRatio);
    return records;
  }

  async shutdown(): Promise<void> {}

  /** The ratio decision for a record no keep rule holds for. */
  private sampledIn(record: LogRecord): boolean {
    if (this.threshold >= BUCKETS) return true;
    if (this.ratio === 0) return false;
    const traceId = record.trace_id;
    if (traceId !== undefined) {
      const bucket = traceBucket(this.state, traceId);
      if (bucket >= 0) return bucket < this.threshold;
    }
    if (this.hashField) {
      const value = this.hashField(record);
      if (value !== undefined && value !== null && value !== '') return valueBucket(this.state, value) < this.threshold;
    }
    return this.random() < this.ratio;
  }
}

function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `sample` processor factory: keep rules, consistent ratio sampling, per-key rate limits. */
import type { ConfigIssue, ProcessorFactory } from '../../core/component.ts';
import { parseFieldRef, validateCondition } from '../../core/conditions.ts';
import { configSchema, defaults, type SampleConfig } from './config.ts';
import { BUCKETS, thresholdFor } from './hash.ts';
import { SampleProcessor } from './processor.ts';

export type { SampleConfig } from './config.ts';

function validate(config: SampleConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.ratio > 0 && thresholdFor(config.ratio) === 0) {
    issues.push({ path: ['ratio'], message: `is below the smallest share sampling can keep (1/${BUCKETS}); use 0 to keep only what keep rules hold for` });
  }
  config.keep.forEach((condition, i) => issues.push(...validateCondition(condition, ['keep', i])));
  if (config.hash_field !== '') {
    const parsed = parseFieldRef(config.hash_field);
    if ('error' in parsed) issues.push({ path: ['hash_field'], message: parsed.error });
  }
  const parsedKey = parseFieldRef(config.rate_limit.key);
  if ('error' in parsedKey) issues.push({ path: ['rate_limit', 'key'], message: parsedKey.error });
  return issues;
}

export const sampleProcessorFactory: ProcessorFactory<SampleConfig> = {
  kind: 'processor',
  type: 'sample',
  configSchema,
  defaults,
  validate,
  create: (config, ctx) => new SampleProcessor(config, ctx),
};

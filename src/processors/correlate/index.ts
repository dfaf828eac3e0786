/** `correlate` processor factory: trace context extraction and request-id joins. */
import type { ConfigIssue, ProcessorFactory } from '../../core/component.ts';
import { configSchema, defaults, type CorrelateConfig } from './config.ts';
import { CorrelateProcessor } from './processor.ts';

export type { CorrelateConfig } from './config.ts';

function validate(config: CorrelateConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.request_id_fields.length > 0 && config.window <= 0) {
    issues.push({ path: ['window'], message: 'must be longer than 0 while request_id_fields are set (use request_id_fields: [] to turn joining off)' });
  }
  if (config.request_id_fields.length > 0 && config.max_entries === 0) {
    issues.push({ path: ['max_entries'], message: 'must be at least 1 while request_id_fields are set (use request_id_fields: [] to turn joining off)' });
  }
  return issues;
}

export const correlateProcessorFactory: ProcessorFactory<CorrelateConfig> = {
  kind: 'processor',
  type: 'correlate',
  configSchema,
  defaults,
  validate,
  create: (config, ctx) => new CorrelateProcessor(config, ctx),
};

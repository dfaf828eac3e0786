/** The built-in component factories. A new component is one line here. */
import type { ComponentFactory } from './core/component.ts';
import { Registry } from './core/registry.ts';
import { fileExporterFactory } from './exporters/file/index.ts';
import { otlpReceiverFactory } from './receivers/otlp/index.ts';
import { schemaProcessorFactory } from './processors/schema/index.ts';
import { correlateProcessorFactory } from './processors/correlate/index.ts';
import { sampleProcessorFactory } from './processors/sample/index.ts';

export const builtinFactories: readonly ComponentFactory[] = [
  fileExporterFactory,
  otlpReceiverFactory,
  schemaProcessorFactory, correlateProcessorFactory, sampleProcessorFactory,
];

/** A registry with every built-in; plugins are added to it while the config loads. */
export function createRegistry(): Registry {
  return new Registry(builtinFactories);
}

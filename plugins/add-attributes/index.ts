/**
 * Example plugin: `add_attributes` sets static attributes and resource attributes on every
 * record (for example the cluster name, or a data classification label).
 *
 * A plugin is a module that exports a component factory (or `factories`, a list) with the
 * same shape as a built-in: kind, type, configSchema, defaults, create. custody loads it only
 * when `service.plugins` names its path, validates its config like a built-in's, and
 * reports config errors with their line:column.
 *
 *   service:
 *     plugins: [./plugins/add-attributes/index.ts]
 *   processors:
 *     add_attributes:
 *       attributes: { deployment.environment: prod }
 *       resource: { k8s.cluster.name: eu-1 }
 *       overwrite: false
 */
import type { ProcessorFactory, Processor } from '../../src/core/component.ts';
import type { JsonObject, LogRecord } from '../../src/core/record.ts';

interface AddAttributesConfig {
  attributes: JsonObject;
  resource: JsonObject;
  overwrite: boolean;
}

const scalarMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };

function addAll(target: JsonObject, values: JsonObject, overwrite: boolean): void {
  for (const [k, v] of Object.entries(values)) {
    if (overwrite || !(k in target)) target[k] = v;
  }
}

class AddAttributes implements Processor {
  private readonly config: AddAttributesConfig;
  constructor(config: AddAttributesConfig) {
    this.config = config;
  }
  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
  process(records: LogRecord[]): LogRecord[] {
    const { attributes, resource, overwrite } = this.config;
    const hasAttributes = Object.keys(attributes).length > 0;
    const hasResource = Object.keys(resource).length > 0;
    for (const r of records) {
      if (hasAttributes) addAll((r.attributes ??= {}), attributes, overwrite);
      if (hasResource) addAll((r.resource ??= {}), resource, overwrite);
    }
    return records;
  }
}

const factory: ProcessorFactory<AddAttributesConfig> = {
  kind: 'processor',
  type: 'add_attributes',
  configSchema: {
    type: 'object',
    properties: { attributes: scalarMap, resource: scalarMap, overwrite: { type: 'boolean' } },
    additionalProperties: false,
  },
  defaults: () => ({ attributes: {}, resource: {}, overwrite: false }),
  create: (config) => new AddAttributes(config),
};

export default factory;

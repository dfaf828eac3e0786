/**
 * Builds a processor the way the agent does (defaults merged, config schema and the
 * factory's own validation, create, start) without a pipeline around it, and records what
 * it drops and routes. Shared by the schema, correlate and sample tests.
 */
import { deepMerge } from '../../../src/config/load.ts';
import { compileSchema, describeAjvError } from '../../../src/config/ajv.ts';
import type { ConfigIssue, CreateContext, Exporter, ProcessContext, Processor, ProcessorFactory } from '../../../src/core/component.ts';
import type { LogRecord } from '../../../src/core/record.ts';
import { Telemetry } from '../../../src/core/telemetry.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { resolve } from 'node:path';

export interface Harness {
  processor: Processor;
  telemetry: Telemetry;
  dropped: Map<string, number>;
  routed: { exporter: string; record: LogRecord }[];
  run(records: LogRecord[]): Promise<LogRecord[]>;
  metrics(): Promise<string>;
}

/** Every config problem (schema, then the factory's checks), as "path: message". */
export function configIssues(factory: ProcessorFactory, user: unknown, exporters: string[] = []): string[] {
  const config = deepMerge(factory.defaults(), user ?? {});
  const validate = compileSchema(factory.configSchema);
  if (!validate(config)) {
    return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => {
      const d = describeAjvError(e);
      return `${d.path.join('.')}: ${d.message}`;
    });
  }
  const issues: ConfigIssue[] = factory.validate?.(config, {
    componentIds: { receivers: [], processors: [], exporters },
    resolvePath: (p) => resolve(p),
  }) ?? [];
  return issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

export async function harness(factory: ProcessorFactory, user: unknown, options: { exporters?: string[]; id?: string } = {}): Promise<Harness> {
  const exporters = options.exporters ?? [];
  const problems = configIssues(factory, user, exporters);
  if (problems.length > 0) throw new Error(`invalid test config:\n${problems.join('\n')}`);
  const config = deepMerge(factory.defaults(), user ?? {});
  compileSchema(factory.configSchema)(config);
  const telemetry = new Telemetry();
  const ctx: CreateContext = {
    id: options.id ?? factory.type,
    kind: 'processor',
    pipeline: 'logs',
    logger: silentLogger,
    telemetry,
    dataDir: '/nonexistent',
    resolvePath: (p) => resolve(p),
    agent: { version: 'test', configSha256: '', configPath: '', hostname: 'test' },
  };
  const processor = factory.create(config, ctx) as Processor;
  const fakeExporter = {} as Exporter;
  await processor.start({
    reportFatal: (e) => { throw e; },
    getExporter: (id) => (exporters.includes(id) ? fakeExporter : undefined),
  });
  const dropped = new Map<string, number>();
  const routed: { exporter: string; record: LogRecord }[] = [];
  const pctx: ProcessContext = {
    dropped: (reason, count = 1) => dropped.set(reason, (dropped.get(reason) ?? 0) + count),
    route: (exporter, record) => {
      if (!exporters.includes(exporter)) throw new Error(`routed to unknown exporter ${exporter}`);
      routed.push({ exporter, record });
    },
  };
  return {
    processor,
    telemetry,
    dropped,
    routed,
    run: async (records) => processor.process(records, pctx),
    metrics: () => telemetry.render(),
  };
}

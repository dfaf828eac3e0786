/**
 * Loads and validates the agent's YAML config. Validation is pure and reports every
 * problem at once, each with its YAML path and line:column; building the agent from a
 * validated config does only I/O.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ComponentFactory, ComponentKind, ConfigIssue } from '../core/component.ts';
import { ConfigError } from '../core/errors.ts';
import { Registry, parseComponentId } from '../core/registry.ts';
import { compileSchema, describeAjvError } from './ajv.ts';
import { duration, int, object, oneOf, str, strList } from './schemas.ts';
import { parseYamlSource, type KeyPath, type YamlSource } from './yaml-source.ts';
import type { LogLevel } from '../core/logger.ts';

export interface ComponentConfig {
  id: string;
  kind: ComponentKind;
  type: string;
  factory: ComponentFactory;
  config: unknown;
}

export interface PipelineConfig {
  name: string;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export interface ServiceConfig {
  /** Absolute. */
  data_dir: string;
  plugins: string[];
  shutdown_timeout: number;
  max_inflight_records: number;
  telemetry: { address: string; logs: { level: LogLevel } };
  pipelines: PipelineConfig[];
}

export interface AgentConfig {
  path: string;
  sha256: string;
  receivers: Map<string, ComponentConfig>;
  processors: Map<string, ComponentConfig>;
  exporters: Map<string, ComponentConfig>;
  service: ServiceConfig;
}

export interface LoadOptions {
  registry: Registry;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const SECTIONS = { receivers: 'receiver', processors: 'processor', exporters: 'exporter' } as const;
type Section = keyof typeof SECTIONS;

const topSchema = object({
  receivers: { type: ['object', 'null'] },
  processors: { type: ['object', 'null'] },
  exporters: { type: ['object', 'null'] },
  service: { type: 'object' },
}, ['service']);

const serviceSchema = object({
  data_dir: str('directory for checkpoints, chain state and queues'),
  plugins: strList('component modules to load (only these paths are ever loaded)'),
  shutdown_timeout: duration('how long SIGTERM waits for in-flight data to drain'),
  max_inflight_records: int(1, 'records a pipeline holds in memory before receivers are told to wait'),
  telemetry: object({
    address: str('host:port for /healthz, /readyz and /metrics'),
    logs: object({ level: oneOf(['debug', 'info', 'warn', 'error']) }),
  }),
  pipelines: {
    type: 'object',
    minProperties: 1,
    additionalProperties: object({
      receivers: { type: 'array', items: { type: 'string' }, minItems: 1 },
      processors: strList(),
      exporters: { type: 'array', items: { type: 'string' }, minItems: 1 },
    }, ['receivers', 'exporters']),
  },
}, ['pipelines']);

export const SERVICE_DEFAULTS = {
  data_dir: './data',
  plugins: [] as string[],
  shutdown_timeout: '30s',
  max_inflight_records: 16384,
  telemetry: { address: '127.0.0.1:13133', logs: { level: 'info' } },
};

/** Reads, validates and resolves a config file; throws ConfigError listing every problem. */
export async function loadConfig(file: string, options: LoadOptions): Promise<AgentConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ConfigError([`${file}: cannot read config: ${(e as Error).message}`]);
  }
  return loadConfigText(file, bytes.toString('utf8'), options, createHash('sha256').update(bytes).digest('hex'));
}

export async function loadConfigText(file: string, text: string, options: LoadOptions, sha256?: string): Promise<AgentConfig> {
  const cwd = options.cwd ?? process.cwd();
  const source = parseYamlSource(file, text, options.env ?? process.env);
  if (source.errors.length > 0) throw new ConfigError(source.errors);
  const issues: string[] = [];
  const report = (path: KeyPath, message: string, atKey = false): void => {
    issues.push(source.format({ path, message, atKey }));
  };

  const root = source.value;
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new ConfigError([`${file}: the config must be a YAML map with receivers, processors, exporters and service`]);
  }
  validateAgainst(topSchema, root, [], report);
  const top = root as Record<string, unknown>;
  const rawService = (top.service && typeof top.service === 'object' ? top.service : {}) as Record<string, unknown>;

  const service = deepMerge(structuredClone(SERVICE_DEFAULTS), rawService) as Record<string, unknown>;
  validateAgainst(serviceSchema, service, ['service'], report);

  // Plugins first: their factories validate like built-ins.
  const registry = options.registry;
  const plugins = Array.isArray(service.plugins) ? (service.plugins as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  for (let i = 0; i < plugins.length; i++) {
    const problem = await loadPlugin(resolve(cwd, plugins[i]!), registry);
    if (problem) report(['service', 'plugins', i], problem);
  }

  const components: Record<Section, Map<string, ComponentConfig>> = {
    receivers: new Map(), processors: new Map(), exporters: new Map(),
  };
  const ids = {
    receivers: Object.keys((top.receivers as object | null) ?? {}),
    processors: Object.keys((top.processors as object | null) ?? {}),
    exporters: Object.keys((top.exporters as object | null) ?? {}),
  };
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const kind = SECTIONS[section];
    const entries = (top[section] as Record<string, unknown> | null | undefined) ?? {};
    if (typeof entries !== 'object' || Array.isArray(entries)) continue;
    for (const [id, userConfig] of Object.entries(entries)) {
      const path: KeyPath = [section, id];
      const parsed = parseComponentId(id);
      if (!parsed) {
        report(path, `invalid ${kind} id "${id}": expected "type" or "type/name"`, true);
        continue;
      }
      const factory = registry.get(kind, parsed.type);
      if (!factory) {
        report(path, `unknown ${kind} type "${parsed.type}" (known: ${registry.types(kind).join(', ') || 'none'})`, true);
        continue;
      }
      if (userConfig !== null && userConfig !== undefined && (typeof userConfig !== 'object' || Array.isArray(userConfig))) {
        report(path, 'must be a map of settings (or empty)');
        continue;
      }
      const config = deepMerge(factory.defaults() ?? {}, userConfig ?? {});
      const before = issues.length;
      validateAgainst(factory.configSchema, config, path, report);
      if (issues.length === before && factory.validate) {
        let extra: ConfigIssue[];
        try {
          extra = factory.validate(config, { componentIds: ids, resolvePath: (p) => resolve(cwd, p) });
        } catch (e) {
          extra = [{ path: [], message: (e as Error).message }];
        }
        for (const issue of extra) report([...path, ...issue.path], issue.message);
      }
      components[section].set(id, { id, kind, type: parsed.type, factory, config });
    }
  }

  const pipelines: PipelineConfig[] = [];
  const rawPipelines = (service.pipelines && typeof service.pipelines === 'object' ? service.pipelines : {}) as Record<string, Record<string, unknown>>;
  for (const [name, p] of Object.entries(rawPipelines)) {
    const path: KeyPath = ['service', 'pipelines', name];
    if (!/^logs(\/[A-Za-z0-9_.-]+)?$/.test(name)) {
      report(path, `invalid pipeline id "${name}": custody carries logs, so pipelines are "logs" or "logs/<name>"`, true);
      continue;
    }
    if (!p || typeof p !== 'object') continue;
    const pipeline: PipelineConfig = { name, receivers: [], processors: [], exporters: [] };
    for (const section of Object.keys(SECTIONS) as Section[]) {
      const list = Array.isArray(p[section]) ? (p[section] as unknown[]) : [];
      const seen = new Set<string>();
      list.forEach((ref, i) => {
        if (typeof ref !== 'string') return;
        if (!ids[section].includes(ref)) {
          report([...path, section, i], `${SECTIONS[section]} "${ref}" is not defined under ${section}`);
        } else if (seen.has(ref)) {
          report([...path, section, i], `${SECTIONS[section]} "${ref}" is listed twice`);
        }
        seen.add(ref);
        pipeline[section].push(ref);
      });
    }
    pipelines.push(pipeline);
  }

  if (issues.length > 0) throw new ConfigError(sortByPosition(issues));

  const telemetry = service.telemetry as ServiceConfig['telemetry'];
  return {
    path: resolve(cwd, file),
    sha256: sha256 ?? createHash('sha256').update(text).digest('hex'),
    receivers: components.receivers,
    processors: components.processors,
    exporters: components.exporters,
    service: {
      data_dir: resolve(cwd, service.data_dir as string),
      plugins: plugins.map((p) => resolve(cwd, p)),
      shutdown_timeout: service.shutdown_timeout as number,
      max_inflight_records: service.max_inflight_records as number,
      telemetry,
      pipelines,
    },
  };
}

function validateAgainst(
  schema: Record<string, unknown>,
  value: unknown,
  base: KeyPath,
  report: (path: KeyPath, message: string, atKey?: boolean) => void,
): void {
  const validate = compileSchema(schema);
  if (validate(value)) return;
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // anyOf/oneOf branches repeat themselves; their summary line is enough.
    if (error.keyword === 'if') continue;
    const { path, message, atKey } = describeAjvError(error);
    const key = path.join('\0') + '\0' + message;
    if (seen.has(key)) continue;
    seen.add(key);
    report([...base, ...path], message, atKey);
  }
}

async function loadPlugin(path: string, registry: Registry): Promise<string | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    return `cannot load plugin ${path}: ${(e as Error).message.split('\n')[0]}`;
  }
  const exported = mod.factories ?? mod.default ?? mod.factory;
  const factories = Array.isArray(exported) ? exported : [exported];
  if (factories.length === 0 || factories[0] === undefined) {
    return `plugin ${path} exports no factory (export default a factory, or "factories" as a list)`;
  }
  try {
    for (const f of factories) registry.register(f as ComponentFactory, `plugin ${path}`);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** Orders issues as they appear in the file. */
function sortByPosition(issues: string[]): string[] {
  const pos = (s: string): [number, number] => {
    const m = /^[^\n]*?:(\d+):(\d+): /.exec(s);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
  };
  return [...issues].sort((a, b) => {
    const [la, ca] = pos(a);
    const [lb, cb] = pos(b);
    return la - lb || ca - cb;
  });
}

/** Merges `override` into `base`: maps merge key by key, everything else is replaced. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) {
      // `key:` with no value keeps the default, as an empty section does.
      out[k] = v === null && k in base ? base[k] : k in base ? deepMerge(base[k], v) : v;
    }
    return out;
  }
  return override === undefined ? base : override;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type { YamlSource };

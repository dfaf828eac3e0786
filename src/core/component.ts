/**
 * The component model. Every receiver, processor and exporter (built-in or plugin) is
 * known to the pipeline only through a `ComponentFactory`: its type, a JSON Schema for its
 * config, defaults, optional cross-checks, and `create`.
 *
 * Lifecycle (all components): `create` is pure construction (no I/O). `start` acquires
 * resources and returns once the component can work; the agent starts exporters first,
 * then processors, then receivers, and stops them in reverse. `shutdown` is idempotent,
 * flushes what it holds, and never throws for a component that failed to start.
 */
import type { LogRecord } from './record.ts';
import type { Logger } from './logger.ts';
import type { Telemetry } from './telemetry.ts';

export type ComponentKind = 'receiver' | 'processor' | 'exporter';

/** A JSON Schema (draft 2020-12 subset ajv understands), plus custody's keywords. */
export type JsonSchema = Record<string, unknown>;

/** What every component gets at construction. */
export interface CreateContext {
  /** Component id as written in the config: `type` or `type/name`. */
  id: string;
  kind: ComponentKind;
  /** For processors: the pipeline this instance belongs to (processors are per pipeline). */
  pipeline?: string;
  logger: Logger;
  telemetry: Telemetry;
  /** Absolute path of `service.data_dir`. */
  dataDir: string;
  /** Resolves a path from the config relative to the process working directory. */
  resolvePath(path: string): string;
  /** Agent facts, for components that record them (hashchain's self-audit). */
  agent: AgentInfo;
}

export interface AgentInfo {
  version: string;
  /** Hex SHA-256 of the config file's bytes. */
  configSha256: string;
  configPath: string;
  hostname: string;
}

export interface Component {
  start(host: Host): Promise<void>;
  shutdown(): Promise<void>;
}

/** What a started component can reach. */
export interface Host {
  /** Reports a fatal error: the agent logs it and stops cleanly with exit code 1. */
  reportFatal(error: Error): void;
  /** Exporters by id, for processors that route records (dead letters). */
  getExporter(id: string): Exporter | undefined;
}

/**
 * The downstream a receiver feeds. `consume` resolves once every record of the batch is
 * durable in (or delivered by) every exporter of every pipeline the receiver feeds: only
 * then may the receiver acknowledge its source (advance a file checkpoint, answer an OTLP
 * request). It rejects when any of them failed; the receiver must then not acknowledge.
 *
 * Backpressure: `consume` waits for room before taking the batch, so a receiver that awaits
 * it never buffers without bound. A receiver that must answer quickly (OTLP) passes a
 * `deadline`; if there is no room by then `consume` rejects with a `BackpressureError`
 * without having taken the batch.
 */
export interface LogsConsumer {
  consume(records: LogRecord[], options?: ConsumeOptions): Promise<void>;
  /** True while the downstream has no room; receivers may use it to pause early. */
  readonly saturated: boolean;
}

export interface ConsumeOptions {
  /** Epoch ms after which waiting for room gives up with BackpressureError. */
  deadline?: number;
  signal?: AbortSignal;
}

export interface ReceiverHost extends Host {
  consumer: LogsConsumer;
}

export interface Receiver extends Component {
  start(host: ReceiverHost): Promise<void>;
}

/** Handed to a processor with every batch. */
export interface ProcessContext {
  /** Counts records the processor dropped on purpose (by reason) in /metrics. */
  dropped(reason: string, count?: number): void;
  /**
   * Sends a record to the named exporter instead of on down the pipeline (dead letter).
   * The batch's acknowledgement waits for it as for any other export.
   */
  route(exporterId: string, record: LogRecord): void;
}

/**
 * A processor transforms a batch in place or returns a new array; it owns the batch it is
 * given (the pipeline copies before fan-out to several pipelines). Returning fewer records
 * drops them (call `ctx.dropped` to count why). Batches reach a processor one at a time and
 * in order.
 */
export interface Processor extends Component {
  process(records: LogRecord[], ctx: ProcessContext): LogRecord[] | Promise<LogRecord[]>;
}

/**
 * An exporter. `export` resolves once the records are durable (in a disk queue or written
 * and synced per the exporter's policy) or delivered; it rejects if they are not. It must
 * not mutate the records: several exporters share one batch. Calls are made in pipeline
 * order; an exporter that writes in order keeps that order.
 */
export interface Exporter extends Component {
  export(records: LogRecord[]): Promise<void>;
}

export type ComponentFor<K extends ComponentKind> = K extends 'receiver'
  ? Receiver
  : K extends 'processor'
    ? Processor
    : Exporter;

/** Cross-checks a component may add after schema validation (e.g. referenced exporters exist). */
export interface ValidateContext {
  componentIds: { receivers: string[]; processors: string[]; exporters: string[] };
  resolvePath(path: string): string;
}

/** A problem found by a component's own validation; `path` is relative to its config. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

export interface ComponentFactory<K extends ComponentKind = ComponentKind, C = any> {
  kind: K;
  type: string;
  /** JSON Schema of the config after defaults are merged; `additionalProperties: false` everywhere. */
  configSchema: JsonSchema;
  /**
   * Defaults as a user would write them (sizes and durations may be strings), deep-merged
   * under the user's config before validation; validation turns them into `C`.
   */
  defaults: () => Record<string, unknown>;
  /** Optional checks beyond the schema (files exist, referenced ids exist, patterns compile). */
  validate?(config: C, ctx: ValidateContext): ConfigIssue[];
  create(config: C, ctx: CreateContext): ComponentFor<K>;
}

export type ReceiverFactory<C = any> = ComponentFactory<'receiver', C>;
export type ProcessorFactory<C = any> = ComponentFactory<'processor', C>;
export type ExporterFactory<C = any> = ComponentFactory<'exporter', C>;

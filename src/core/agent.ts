/**
 * The agent: builds components from a validated config, wires pipelines, runs the
 * telemetry endpoint, and owns the lifecycle. Start order is exporters -> processors ->
 * receivers; stop is the reverse, with in-flight batches drained in between.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { AgentConfig } from '../config/load.ts';
import type { AgentInfo, Component, ComponentKind, CreateContext, Exporter, Host, Processor, Receiver } from './component.ts';
import type { Logger } from './logger.ts';
import { Pipeline, ReceiverConsumer } from './pipeline.ts';
import { Telemetry } from './telemetry.ts';
import { TelemetryServer } from './telemetry-server.ts';
import type { AddressInfo } from 'node:net';
import { VERSION } from './version.ts';

interface Built<T> {
  id: string;
  component: T;
  started: boolean;
}

export interface AgentOptions {
  logger: Logger;
  /** Skip the HTTP telemetry endpoint (tests that run many agents). */
  telemetryServer?: boolean;
}

export class Agent {
  readonly telemetry = new Telemetry();
  private readonly logger: Logger;
  private readonly exporters = new Map<string, Built<Exporter>>();
  private readonly processors: Built<Processor>[] = [];
  private readonly receivers = new Map<string, Built<Receiver>>();
  private readonly pipelines: Pipeline[] = [];
  private server: TelemetryServer | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private fatalError: Error | undefined;
  private stopPromise: Promise<void> | undefined;
  private readonly fatalListeners: ((error: Error) => void)[] = [];
  telemetryAddress: AddressInfo | undefined;

  readonly config: AgentConfig;

  constructor(config: AgentConfig, options: AgentOptions) {
    this.config = config;
    this.logger = options.logger;
    if (options.telemetryServer !== false) {
      this.server = new TelemetryServer(config.service.telemetry.address, this.telemetry, {
        healthy: () => this.fatalError === undefined && this.state !== 'stopped',
        ready: () => this.state === 'running',
      });
    }
    const up = this.telemetry.gauge('custody_up', 'The agent is running (1) with this version', ['version']);
    up.labels(VERSION).set(1);
  }

  /** Called with the error when a component reports a fatal failure. */
  onFatal(listener: (error: Error) => void): void {
    this.fatalListeners.push(listener);
  }

  get fatal(): Error | undefined {
    return this.fatalError;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('agent already started');
    this.state = 'starting';
    const { config } = this;
    await mkdir(config.service.data_dir, { recursive: true });
    if (this.server) this.telemetryAddress = await this.server.start();

    const agentInfo: AgentInfo = {
      version: VERSION,
      configSha256: config.sha256,
      configPath: config.path,
      hostname: process.env.CUSTODY_NODE_NAME || process.env.K8S_NODE_NAME || hostname(),
    };
    const context = (kind: ComponentKind, id: string, pipeline?: string): CreateContext => ({
      id,
      kind,
      ...(pipeline ? { pipeline } : {}),
      logger: this.logger.child({ component: id, kind, ...(pipeline ? { pipeline } : {}) }),
      telemetry: this.telemetry,
      dataDir: config.service.data_dir,
      resolvePath: (p: string) => resolve(p),
      agent: agentInfo,
    });
    const host: Host = {
      reportFatal: (error) => this.reportFatal(error),
      getExporter: (id) => this.exporters.get(id)?.component,
    };

    try {
      // Every defined exporter is built: processors may route to one (a dead letter) that
      // no pipeline lists.
      for (const [id, c] of config.exporters) {
        this.exporters.set(id, { id, component: c.factory.create(c.config, context('exporter', id)) as Exporter, started: false });
      }
      const receiverPipelines = new Map<string, { pipeline: Pipeline; mutates: boolean }[]>();
      for (const p of config.service.pipelines) {
        const processors = p.processors.map((id) => {
          const c = config.processors.get(id)!;
          const built: Built<Processor> = { id, component: c.factory.create(c.config, context('processor', id, p.name)) as Processor, started: false };
          this.processors.push(built);
          return { id, processor: built.component };
        });
        const pipeline = new Pipeline({
          name: p.name,
          processors,
          exporters: p.exporters.map((id) => ({ id, exporter: this.exporters.get(id)!.component })),
          maxInflightRecords: config.service.max_inflight_records,
          host,
          logger: this.logger.child({ pipeline: p.name }),
          telemetry: this.telemetry,
        });
        this.pipelines.push(pipeline);
        for (const r of p.receivers) {
          let list = receiverPipelines.get(r);
          if (!list) receiverPipelines.set(r, (list = []));
          list.push({ pipeline, mutates: processors.length > 0 });
        }
      }
      for (const [id, pipelines] of receiverPipelines) {
        const c = config.receivers.get(id)!;
        const receiver = c.factory.create(c.config, context('receiver', id)) as Receiver;
        this.receivers.set(id, { id, component: receiver, started: false });
        receiverPipelines.set(id, pipelines);
      }

      for (const built of this.exporters.values()) await this.startOne(built, host);
      for (const built of this.processors) await this.startOne(built, host);
      for (const [id, built] of this.receivers) {
        const consumer = new ReceiverConsumer(id, receiverPipelines.get(id)!, this.telemetry);
        await this.startOne(built, { ...host, consumer } as Host);
      }
    } catch (error) {
      this.logger.error('start failed; stopping what was started', { error });
      await this.stop();
      throw error;
    }
    if (this.fatalError) throw this.fatalError;
    this.state = 'running';
    this.logger.info('agent started', {
      version: VERSION,
      pipelines: config.service.pipelines.map((p) => p.name),
      telemetry: this.telemetryAddress ? `${this.telemetryAddress.address}:${this.telemetryAddress.port}` : undefined,
    });
  }

  /** Drains and stops; idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.state = 'stopping';
    const timeout = this.config.service.shutdown_timeout;
    const started = Date.now();
    // Receivers first: they stop taking input and wait for their in-flight batches.
    await this.shutdownAll([...this.receivers.values()].reverse());
    const left = Math.max(0, timeout - (Date.now() - started));
    const drained = await Promise.all(this.pipelines.map((p) => p.drain(left)));
    if (drained.some((d) => !d)) {
      this.logger.warn('shutdown timeout passed with batches still in flight; they were not acknowledged and will be read or sent again', { timeout_ms: timeout });
    }
    await this.shutdownAll([...this.processors].reverse());
    await this.shutdownAll([...this.exporters.values()].reverse());
    await this.server?.stop();
    this.state = 'stopped';
    this.logger.info('agent stopped');
  }

  private async startOne(built: Built<Component>, host: Host): Promise<void> {
    try {
      await built.component.start(host as never);
      built.started = true;
    } catch (error) {
      throw new Error(`${built.id}: failed to start: ${(error as Error).message}`, { cause: error });
    }
  }

  private async shutdownAll(list: Built<Component>[]): Promise<void> {
    for (const built of list) {
      if (!built.started) continue;
      try {
        await built.component.shutdown();
      } catch (error) {
        this.logger.error('component failed to shut down cleanly', { component: built.id, error });
      }
      built.started = false;
    }
  }

  private reportFatal(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.logger.error('fatal component error; the agent stops', { error });
    for (const l of this.fatalListeners) l(error);
  }
}

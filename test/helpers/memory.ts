/** In-memory receiver and exporter for pipeline tests. */
import type { ExporterFactory, Exporter, LogsConsumer, Receiver, ReceiverFactory, ReceiverHost } from '../../src/core/component.ts';
import type { LogRecord } from '../../src/core/record.ts';
import { object, int, bool } from '../../src/config/schemas.ts';

/** Receivers built by `memoryReceiverFactory`, by id, so tests can push batches. */
export const memoryReceivers = new Map<string, MemoryReceiver>();
/** Exporters built by `memoryExporterFactory`, by id. */
export const memoryExporters = new Map<string, MemoryExporter>();

export class MemoryReceiver implements Receiver {
  consumer: LogsConsumer | undefined;
  host: ReceiverHost | undefined;
  shutdowns = 0;
  async start(host: ReceiverHost): Promise<void> {
    this.consumer = host.consumer;
    this.host = host;
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
  push(records: LogRecord[]): Promise<void> {
    if (!this.consumer) throw new Error('receiver not started');
    return this.consumer.consume(records);
  }
}

export class MemoryExporter implements Exporter {
  readonly records: LogRecord[] = [];
  /** While set, exports wait on it (a slow or blocked destination). */
  gate: Promise<void> | undefined;
  fail = false;
  failStart = false;
  shutdowns = 0;
  readonly delayMs: number;
  constructor(delayMs = 0) {
    this.delayMs = delayMs;
  }
  async start(): Promise<void> {
    if (this.failStart) throw new Error('memory exporter told not to start');
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
  async export(records: LogRecord[]): Promise<void> {
    if (this.gate) await this.gate;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fail) throw new Error('memory exporter told to fail');
    this.records.push(...records);
  }
}

export const memoryReceiverFactory: ReceiverFactory<Record<string, never>> = {
  kind: 'receiver',
  type: 'memory',
  configSchema: object({}),
  defaults: () => ({}),
  create: (_config, ctx) => {
    const r = new MemoryReceiver();
    memoryReceivers.set(ctx.id, r);
    return r;
  },
};

export const memoryExporterFactory: ExporterFactory<{ delay_ms: number; fail: boolean; fail_start: boolean }> = {
  kind: 'exporter',
  type: 'memory',
  configSchema: object({ delay_ms: int(0), fail: bool(), fail_start: bool() }),
  defaults: () => ({ delay_ms: 0, fail: false, fail_start: false }),
  create: (config, ctx) => {
    const e = new MemoryExporter(config.delay_ms);
    e.fail = config.fail;
    e.failStart = config.fail_start;
    memoryExporters.set(ctx.id, e);
    return e;
  },
};

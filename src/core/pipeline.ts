/**
 * A logs pipeline: admission (bounded by records in flight) -> processors in order ->
 * fan-out to exporters. Acknowledgement is the promise `consume` returns: it settles once
 * every exporter (and every dead-letter target) has taken the batch durably.
 *
 * Ordering: a batch reserves its turn at every stage when it is admitted, so batches pass
 * each processor and reach the exporters in admission order, while different stages work on
 * different batches at once (the hashchain can hash batch N while redact scrubs N+1).
 */
import type { Exporter, Host, LogsConsumer, ConsumeOptions, Processor, ProcessContext } from './component.ts';
import type { LogRecord } from './record.ts';
import type { Logger } from './logger.ts';
import type { Telemetry } from './telemetry.ts';
import { RecordSemaphore } from './semaphore.ts';
import { CustodyError } from './errors.ts';

export interface PipelineOptions {
  name: string;
  processors: { id: string; processor: Processor }[];
  exporters: { id: string; exporter: Exporter }[];
  maxInflightRecords: number;
  host: Host;
  logger: Logger;
  telemetry: Telemetry;
}

/** One stage's turnstile: each batch waits for the one admitted before it. */
class Turnstile {
  private tail: Promise<void> = Promise.resolve();
  reserve(): { wait: Promise<void>; done: () => void } {
    const wait = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((r) => (done = r));
    return { wait, done };
  }
}

export class Pipeline implements LogsConsumer {
  readonly name: string;
  private readonly admission: RecordSemaphore;
  private readonly stages: Turnstile[];
  private readonly exportStage = new Turnstile();
  private readonly metrics;
  private inflightBatches = 0;
  private drained: (() => void)[] = [];

  private readonly options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.options = options;
    this.name = options.name;
    this.admission = new RecordSemaphore(options.maxInflightRecords);
    this.stages = options.processors.map(() => new Turnstile());
    const t = options.telemetry;
    this.metrics = {
      inflight: t.gauge('custody_pipeline_inflight_records', 'Records admitted to a pipeline and not yet exported', ['pipeline']).labels(this.name),
      capacity: t.gauge('custody_pipeline_capacity_records', 'Records a pipeline holds before receivers must wait', ['pipeline']).labels(this.name),
      processorIn: t.counter('custody_processor_incoming_records_total', 'Records a processor received', ['processor', 'pipeline']),
      processorOut: t.counter('custody_processor_outgoing_records_total', 'Records a processor passed on', ['processor', 'pipeline']),
      processorDropped: t.counter('custody_processor_dropped_records_total', 'Records a processor dropped on purpose, by reason', ['processor', 'pipeline', 'reason']),
      processorRouted: t.counter('custody_processor_routed_records_total', 'Records a processor sent to another exporter (dead letter)', ['processor', 'pipeline', 'exporter']),
      processorErrors: t.counter('custody_processor_errors_total', 'Batches a processor failed on', ['processor', 'pipeline']),
      exporterSent: t.counter('custody_exporter_sent_records_total', 'Records an exporter accepted durably', ['exporter']),
      exporterFailed: t.counter('custody_exporter_send_failed_records_total', 'Records an exporter failed to accept', ['exporter', 'reason']),
    };
    this.metrics.capacity.set(options.maxInflightRecords);
  }

  get saturated(): boolean {
    return this.admission.saturated;
  }

  async consume(records: LogRecord[], options: ConsumeOptions = {}): Promise<void> {
    if (records.length === 0) return;
    const n = records.length;
    await this.admission.acquire(n, options.deadline, options.signal);
    this.inflightBatches++;
    this.metrics.inflight.set(this.admission.inUse);
    const tickets = this.stages.map((s) => s.reserve());
    const exportTicket = this.exportStage.reserve();
    let stage = 0;
    try {
      let batch = records;
      const routed = new Map<string, LogRecord[]>();
      for (; stage < tickets.length; stage++) {
        const ticket = tickets[stage]!;
        await ticket.wait;
        try {
          batch = await this.runProcessor(stage, batch, routed);
        } finally {
          ticket.done();
        }
        if (batch.length === 0) break;
      }
      for (stage++; stage < tickets.length; stage++) tickets[stage]!.done();
      await exportTicket.wait;
      let exports: Promise<void>[];
      try {
        exports = batch.length > 0 ? this.options.exporters.map(({ id, exporter }) => this.exportTo(id, exporter, batch)) : [];
        for (const [id, list] of routed) exports.push(this.exportTo(id, this.options.host.getExporter(id)!, list));
      } finally {
        exportTicket.done();
      }
      await settleAll(exports);
    } catch (error) {
      for (; stage < tickets.length; stage++) tickets[stage]!.done();
      exportTicket.done();
      throw error;
    } finally {
      this.admission.release(n);
      this.metrics.inflight.set(this.admission.inUse);
      if (--this.inflightBatches === 0) for (const r of this.drained.splice(0)) r();
    }
  }

  /** Stops admitting and resolves once nothing is in flight (or the timeout passes). */
  async drain(timeoutMs: number): Promise<boolean> {
    this.admission.close();
    if (this.inflightBatches === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async runProcessor(stage: number, batch: LogRecord[], routed: Map<string, LogRecord[]>): Promise<LogRecord[]> {
    const { id, processor } = this.options.processors[stage]!;
    const m = this.metrics;
    m.processorIn.inc({ processor: id, pipeline: this.name }, batch.length);
    const ctx: ProcessContext = {
      dropped: (reason, count = 1) => m.processorDropped.inc({ processor: id, pipeline: this.name, reason }, count),
      route: (exporterId, record) => {
        if (!this.options.host.getExporter(exporterId)) {
          throw new CustodyError('CUSTODY_ROUTE', `processor ${id} routed a record to unknown exporter "${exporterId}"`);
        }
        let list = routed.get(exporterId);
        if (!list) routed.set(exporterId, (list = []));
        list.push(record);
        m.processorRouted.inc({ processor: id, pipeline: this.name, exporter: exporterId });
      },
    };
    try {
      const out = await processor.process(batch, ctx);
      m.processorOut.inc({ processor: id, pipeline: this.name }, out.length);
      return out;
    } catch (error) {
      m.processorErrors.inc({ processor: id, pipeline: this.name });
      this.options.logger.error('processor failed on a batch; the batch is not acknowledged', { processor: id, pipeline: this.name, error });
      throw error;
    }
  }

  private async exportTo(id: string, exporter: Exporter, records: LogRecord[]): Promise<void> {
    try {
      await exporter.export(records);
      this.metrics.exporterSent.inc({ exporter: id }, records.length);
    } catch (error) {
      const reason = (error as { code?: string }).code ?? 'error';
      this.metrics.exporterFailed.inc({ exporter: id, reason }, records.length);
      throw error;
    }
  }
}

/** Like Promise.all, but waits for every promise before rejecting with the first error. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  if (promises.length === 1) return promises[0];
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * What a receiver feeds: fans a batch out to every pipeline the receiver belongs to and
 * counts accepted and refused records. Pipelines with processors get their own copy
 * (processors own and may mutate their batch); the last one takes the original.
 */
export class ReceiverConsumer implements LogsConsumer {
  private readonly accepted;
  private readonly refused;
  private readonly receiverId: string;
  private readonly pipelines: { pipeline: Pipeline; mutates: boolean }[];

  constructor(receiverId: string, pipelines: { pipeline: Pipeline; mutates: boolean }[], telemetry: Telemetry) {
    this.receiverId = receiverId;
    this.pipelines = pipelines;
    this.accepted = telemetry.counter('custody_receiver_accepted_records_total', 'Records a receiver handed to its pipelines and had acknowledged', ['receiver']).labels(receiverId);
    this.refused = telemetry.counter('custody_receiver_refused_records_total', 'Records a receiver could not hand on, by reason', ['receiver', 'reason']);
  }

  get saturated(): boolean {
    return this.pipelines.some((p) => p.pipeline.saturated);
  }

  async consume(records: LogRecord[], options?: ConsumeOptions): Promise<void> {
    try {
      if (this.pipelines.length === 1) {
        await this.pipelines[0]!.pipeline.consume(records, options);
      } else {
        const last = this.pipelines.length - 1;
        await settleAll(this.pipelines.map(({ pipeline, mutates }, i) =>
          pipeline.consume(i < last && mutates ? structuredClone(records) : records, options)));
      }
      this.accepted.inc(records.length);
    } catch (error) {
      this.refused.inc({ receiver: this.receiverId, reason: (error as { code?: string }).code ?? 'error' }, records.length);
      throw error;
    }
  }
}

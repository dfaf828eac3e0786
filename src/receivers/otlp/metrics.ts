/**
 * The receiver's metrics, labelled by `receiver` (its id) and `transport` (grpc | http).
 * The pipeline's own `custody_receiver_accepted_records_total` / `..._refused_records_total`
 * count what reached `consume`; these add the protocol view: requests by outcome, records
 * refused before the pipeline (malformed ones), sizes and latency.
 */
import type { Telemetry } from '../../core/telemetry.ts';

export type Transport = 'grpc' | 'http';

/** How a request ended; one label value per answer class. */
export type RequestOutcome = 'success' | 'partial' | 'invalid' | 'too_large' | 'unsupported' | 'unavailable' | 'aborted';

/** Why records were refused. */
export type RefusalReason = 'invalid' | 'backpressure' | 'shutdown' | 'export_failed' | 'permanent';

const SIZE_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class OtlpMetrics {
  private readonly requests;
  private readonly accepted;
  private readonly refused;
  private readonly sizes;
  private readonly latency;
  private readonly inflight;
  private readonly receiver: string;

  constructor(telemetry: Telemetry, receiver: string) {
    this.receiver = receiver;
    this.requests = telemetry.counter('custody_otlp_requests_total', 'OTLP export requests, by how they were answered', ['receiver', 'transport', 'outcome']);
    this.accepted = telemetry.counter('custody_otlp_accepted_records_total', 'Log records acknowledged to OTLP clients', ['receiver', 'transport']);
    this.refused = telemetry.counter('custody_otlp_refused_records_total', 'Log records refused to OTLP clients, by reason', ['receiver', 'transport', 'reason']);
    this.sizes = telemetry.histogram('custody_otlp_request_size_bytes', 'OTLP request sizes as received (before decompression)', ['receiver', 'transport'], SIZE_BUCKETS);
    this.latency = telemetry.histogram('custody_otlp_request_duration_seconds', 'Time from request to answer, including the wait for the pipeline', ['receiver', 'transport'], LATENCY_BUCKETS);
    this.inflight = telemetry.gauge('custody_otlp_inflight_requests', 'OTLP requests being handled', ['receiver', 'transport']);
    // Zero series up front, so dashboards and alerts see them before the first request.
    for (const transport of ['grpc', 'http'] as const) this.accepted.labels(receiver, transport).inc(0);
  }

  begin(transport: Transport): void {
    this.inflight.labels(this.receiver, transport).inc();
  }

  end(transport: Transport, outcome: RequestOutcome, startedNs: bigint, wireBytes: number | undefined): void {
    const labels = { receiver: this.receiver, transport };
    this.inflight.labels(this.receiver, transport).dec();
    this.requests.inc({ ...labels, outcome });
    this.latency.observe(labels, Number(process.hrtime.bigint() - startedNs) / 1e9);
    if (wireBytes !== undefined) this.sizes.observe(labels, wireBytes);
  }

  acceptedRecords(transport: Transport, n: number): void {
    if (n > 0) this.accepted.inc({ receiver: this.receiver, transport }, n);
  }

  refusedRecords(transport: Transport, reason: RefusalReason, n: number): void {
    if (n > 0) this.refused.inc({ receiver: this.receiver, transport, reason }, n);
  }
}

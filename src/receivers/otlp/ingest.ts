/**
 * What happens to one export request, whatever the transport: decode, hand the records to
 * the pipeline, and classify the result into one of three answers the transports map to
 * their status codes:
 *
 * | result        | gRPC                         | HTTP                    | client should     |
 * |---------------|------------------------------|-------------------------|-------------------|
 * | ok            | OK (+ partial_success)       | 200 (+ partialSuccess)  | done              |
 * | invalid       | INVALID_ARGUMENT             | 400                     | drop, not retry   |
 * | too_large     | RESOURCE_EXHAUSTED           | 413                     | drop, not retry   |
 * | unavailable   | UNAVAILABLE (+ RetryInfo)    | 503 (+ Retry-After)     | retry later       |
 *
 * Acknowledgement: `ok` is returned only after `consumer.consume` resolved, i.e. the records
 * are durable in every exporter (contract: at-least-once). Backpressure: `consume` gets a
 * deadline `admission_timeout` ahead; past it the pipeline refuses with BackpressureError
 * without taking the batch, and the client is told to retry (OTLP spec, "Throttling").
 */
import type { LogsConsumer } from '../../core/component.ts';
import type { Logger } from '../../core/logger.ts';
import { BackpressureError, PermanentError, RetryableError, ShutdownError } from '../../core/errors.ts';
import { nowTimestamp } from '../../core/time.ts';
import { decodeJsonRequest } from './decode-json.ts';
import { decodeProtobufRequest } from './decode-protobuf.ts';
import { OtlpInvalidRequestError, OtlpRequestTooLargeError } from './errors.ts';
import type { OtlpMetrics, RefusalReason, RequestOutcome, Transport } from './metrics.ts';
import type { DecodedRequest } from './values.ts';

export type Encoding = 'protobuf' | 'json';

export type ExportResult =
  | { kind: 'ok'; accepted: number; rejected: number; errorMessage: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'too_large'; message: string }
  | { kind: 'unavailable'; message: string; retryAfterMs: number };

export interface IngestOptions {
  consumer: LogsConsumer;
  metrics: OtlpMetrics;
  logger: Logger;
  admissionTimeoutMs: number;
  maxDepth: number;
  maxRecords: number;
}

/** Default retry hint when the failure carries none. */
const DEFAULT_RETRY_MS = 1000;

export class Ingest {
  private readonly options: IngestOptions;
  private readonly lastWarned = new Map<string, number>();

  constructor(options: IngestOptions) {
    this.options = options;
  }

  async handle(body: Buffer, encoding: Encoding, transport: Transport, signal?: AbortSignal): Promise<ExportResult> {
    const { metrics, consumer } = this.options;
    let decoded: DecodedRequest;
    try {
      const decodeOptions = { maxDepth: this.options.maxDepth, maxRecords: this.options.maxRecords, receivedAt: nowTimestamp() };
      decoded = encoding === 'protobuf' ? decodeProtobufRequest(body, decodeOptions) : decodeJsonRequest(body, decodeOptions);
    } catch (error) {
      if (error instanceof OtlpRequestTooLargeError) return { kind: 'too_large', message: error.message };
      if (!(error instanceof OtlpInvalidRequestError)) {
        // A decoder bug must not take the agent down; the client learns its request failed.
        this.warn('decoder', 'unexpected error while decoding an OTLP request', error);
      }
      return { kind: 'invalid', message: (error as Error).message };
    }
    const { records, rejected } = decoded;
    metrics.refusedRecords(transport, 'invalid', rejected);
    const errorMessage = rejected > 0 ? `${rejected} log record(s) rejected: ${decoded.errors.join('; ')}` : '';
    if (records.length === 0) {
      return rejected > 0 ? { kind: 'invalid', message: errorMessage } : { kind: 'ok', accepted: 0, rejected: 0, errorMessage: '' };
    }
    const n = records.length;
    try {
      await consumer.consume(records, {
        deadline: Date.now() + this.options.admissionTimeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      const { result, reason } = classifyFailure(error);
      metrics.refusedRecords(transport, reason, n);
      if (reason === 'export_failed' || reason === 'permanent') this.warn(reason, 'the pipeline did not take an OTLP request; the client was told so', error);
      return result;
    }
    metrics.acceptedRecords(transport, n);
    return { kind: 'ok', accepted: n, rejected, errorMessage };
  }

  /** Warns at most once a minute per kind: a misbehaving client must not flood the agent's log. */
  private warn(kind: string, message: string, error: unknown): void {
    const now = Date.now();
    if (now - (this.lastWarned.get(kind) ?? 0) < 60_000) return;
    this.lastWarned.set(kind, now);
    this.options.logger.warn(message, { error: error as Error });
  }
}

function classifyFailure(error: unknown): { result: ExportResult; reason: RefusalReason } {
  if (error instanceof BackpressureError) {
    return { reason: 'backpressure', result: { kind: 'unavailable', message: 'the agent is at capacity; retry later', retryAfterMs: error.retryAfterMs } };
  }
  if (error instanceof ShutdownError) {
    return { reason: 'shutdown', result: { kind: 'unavailable', message: 'the agent is shutting down; retry later', retryAfterMs: DEFAULT_RETRY_MS } };
  }
  if (error instanceof PermanentError) {
    // As the Collector does: a permanent downstream refusal is not worth retrying.
    return { reason: 'permanent', result: { kind: 'invalid', message: `the pipeline refused the records: ${(error as Error).message}` } };
  }
  const retryAfterMs = error instanceof RetryableError && error.retryAfterMs !== undefined ? error.retryAfterMs : DEFAULT_RETRY_MS;
  return { reason: 'export_failed', result: { kind: 'unavailable', message: 'the records could not be stored durably; retry later', retryAfterMs } };
}

/** The metrics outcome of a result. */
export function outcomeOf(result: ExportResult): RequestOutcome {
  if (result.kind === 'ok') return result.rejected > 0 ? 'partial' : 'success';
  return result.kind;
}

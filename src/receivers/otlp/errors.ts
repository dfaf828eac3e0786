/**
 * Why an OTLP request was refused before it reached the pipeline. Each class has a stable
 * code (documented in docs/receivers/otlp.md) and maps to one gRPC status and HTTP status.
 */
import { CustodyError, PermanentError } from '../../core/errors.ts';

/** The payload does not decode (bad protobuf, bad JSON, wrong types): INVALID_ARGUMENT / 400. */
export class OtlpInvalidRequestError extends PermanentError {
  override readonly code = 'CUSTODY_OTLP_INVALID_REQUEST';
}

/** The body (or its decompressed form) is larger than `max_request_size`: 413. */
export class OtlpRequestTooLargeError extends CustodyError {
  constructor(message: string) {
    super('CUSTODY_OTLP_TOO_LARGE', message);
  }
}

/** Content-Type or Content-Encoding the receiver does not speak: 415. */
export class OtlpUnsupportedMediaError extends CustodyError {
  constructor(message: string) {
    super('CUSTODY_OTLP_UNSUPPORTED_MEDIA', message);
  }
}

/**
 * One log record is unusable (nesting too deep, a trace id of the wrong length); the rest of
 * the request goes on and the client is told through `partial_success`. Internal to the
 * decoders: never thrown out of them.
 */
export class RecordRejected extends Error {}

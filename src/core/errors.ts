/**
 * Error classes with stable codes. Retryable vs permanent is explicit so exporters and
 * receivers can map failures to retries, dead letters and protocol status codes.
 */

export class CustodyError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The downstream has no room (queue full with `when_full: block`, deadline passed). */
export class BackpressureError extends CustodyError {
  /** Suggested wait before retrying, in milliseconds. */
  readonly retryAfterMs: number;
  constructor(message = 'pipeline is full, retry later', retryAfterMs = 1000) {
    super('CUSTODY_BACKPRESSURE', message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A failure that will not go away by retrying (bad request, mapping error, 4xx). */
export class PermanentError extends CustodyError {
  constructor(message: string, options?: ErrorOptions) {
    super('CUSTODY_PERMANENT', message, options);
  }
}

/** A failure worth retrying (network, 5xx, 429); may carry the peer's retry hint. */
export class RetryableError extends CustodyError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number, options?: ErrorOptions) {
    super('CUSTODY_RETRYABLE', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The config is invalid; `issues` lists every problem with its location. */
export class ConfigError extends CustodyError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super('CUSTODY_CONFIG', `invalid configuration:\n  ${issues.join('\n  ')}`);
    this.issues = issues;
  }
}

/** The agent is shutting down and takes no new data. */
export class ShutdownError extends CustodyError {
  constructor(message = 'agent is shutting down') {
    super('CUSTODY_SHUTDOWN', message);
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}

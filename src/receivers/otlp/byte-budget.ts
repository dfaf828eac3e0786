/**
 * A non-blocking budget of request bytes held at once. Requests waiting for the pipeline
 * hold their decoded records in memory; without a bound, many clients under backpressure
 * could grow the heap without limit. A request that does not fit is answered "retry later"
 * at once rather than queued. One request larger than the whole budget is let in when
 * nothing else is held, so a legal request is never refused forever.
 */
export class ByteBudget {
  private used = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get inUse(): number {
    return this.used;
  }

  tryTake(n: number): boolean {
    if (this.used + n > this.capacity && this.used > 0) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

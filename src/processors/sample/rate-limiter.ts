/**
 * Per-key token buckets: each key may pass `ratePerSecond` records a second on average and
 * `burst` at once. At most `maxKeys` buckets are kept; past that the key touched least
 * recently is forgotten (it starts again with a full bucket, the lenient direction).
 * Time is a monotonic clock in ms, read once per batch by the caller.
 */

interface Bucket {
  tokens: number;
  last: number;
}

export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor(ratePerSecond: number, burst: number, maxKeys: number) {
    this.perMs = ratePerSecond / 1000;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) {
        this.buckets.delete(this.buckets.keys().next().value as string);
      }
      bucket = { tokens: this.burst, last: now };
    } else {
      // Re-insert so the map's first key is always the least recently touched.
      this.buckets.delete(key);
      const refill = (now - bucket.last) * this.perMs;
      if (refill > 0) {
        bucket.tokens = Math.min(this.burst, bucket.tokens + refill);
        bucket.last = now;
      }
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

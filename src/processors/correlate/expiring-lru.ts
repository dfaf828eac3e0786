/**
 * A bounded map whose entries expire `ttlMs` after they were last set: the memory behind
 * request-id joins. A JS Map iterates in insertion order, and `set` re-inserts, so the
 * first entry is always the least recently set and the earliest to expire. That makes
 * both limits cheap: past `maxEntries` the first entry is evicted, and `sweep` pops
 * expired entries from the front until it meets a live one. Lookups do not refresh.
 * Time is the caller's monotonic clock in ms (performance.now()), so wall-clock jumps do
 * not expire or resurrect entries. Setting the value an entry already holds within
 * `refreshMs` of its last refresh is a no-op: records of one request arrive together, and
 * re-inserting for each would cost two map operations a record for nothing.
 */

interface Slot<V> {
  value: V;
  expires: number;
}

export class ExpiringLru<V> {
  private readonly map = new Map<string, Slot<V>>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly refreshMs: number;
  /** Entries pushed out by `maxEntries` before they expired. */
  evicted = 0;

  constructor(maxEntries: number, ttlMs: number) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.refreshMs = Math.min(1000, ttlMs / 10);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string, now: number): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (slot.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    return slot.value;
  }

  set(key: string, value: V, now: number): void {
    if (this.maxEntries === 0) return;
    const slot = this.map.get(key);
    if (slot !== undefined) {
      if (slot.value === value && slot.expires - now >= this.ttlMs - this.refreshMs) return;
      this.map.delete(key);
      slot.value = value;
      slot.expires = now + this.ttlMs;
      this.map.set(key, slot);
      return;
    }
    this.map.set(key, { value, expires: now + this.ttlMs });
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evicted++;
    }
  }

  /** Drops expired entries from the front. */
  sweep(now: number): void {
    for (const [key, slot] of this.map) {
      if (slot.expires > now) return;
      this.map.delete(key);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

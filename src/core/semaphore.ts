/**
 * A counting semaphore over record counts, FIFO, with deadlines. It is what bounds a
 * pipeline's memory: a batch waits here until the records ahead of it have been exported.
 */
import { BackpressureError, ShutdownError } from './errors.ts';

interface Waiter {
  n: number;
  resolve(): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export class RecordSemaphore {
  private used = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get inUse(): number {
    return this.used;
  }

  /** True when a new batch would have to wait. */
  get saturated(): boolean {
    return this.used >= this.capacity || this.waiters.length > 0;
  }

  /**
   * Takes `n` permits. A batch larger than the capacity is let in alone (when nothing else
   * is in flight) rather than never.
   */
  acquire(n: number, deadline?: number, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new ShutdownError());
    if (this.waiters.length === 0 && this.fits(n)) {
      this.used += n;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { n, resolve, reject };
      const giveUp = (error: Error): void => {
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        clearTimeout(waiter.timer);
        reject(error);
        this.wake();
      };
      if (deadline !== undefined) {
        const ms = deadline - Date.now();
        if (ms <= 0) {
          reject(new BackpressureError());
          return;
        }
        waiter.timer = setTimeout(() => giveUp(new BackpressureError()), ms);
      }
      signal?.addEventListener('abort', () => giveUp(new BackpressureError('request aborted while waiting for room')), { once: true });
      this.waiters.push(waiter);
    });
  }

  release(n: number): void {
    this.used -= n;
    if (this.used < 0) this.used = 0;
    this.wake();
  }

  /** Refuses every waiter and every later acquire. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new ShutdownError());
    }
  }

  private fits(n: number): boolean {
    return this.used + n <= this.capacity || this.used === 0;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.n)) {
      const w = this.waiters.shift()!;
      clearTimeout(w.timer);
      this.used += w.n;
      w.resolve();
    }
  }
}

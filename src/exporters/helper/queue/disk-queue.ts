/**
 * The disk-backed sending queue: an append-only segmented log with an acknowledged-read
 * cursor. Every network exporter puts its batches here; `append` resolving is the
 * acknowledgement the pipeline (and so the receiver, and so the source) waits for.
 *
 * ON DISK (one directory per exporter)
 *   NNNNNNNNNNNNNNNNNNNN.seg  segments, ids increasing; the highest is the one written.
 *     header  "CUSTODYQ" | u32 version=1 | u32 reserved                      (16 bytes)
 *     entry   u32 magic 0xC0570D1E | u32 crc32(bytes 8..end) | u32 payload length |
 *             u32 record count | f64 enqueue time (epoch ms) | payload            (24 + n)
 *     payload the batch's records as the contract's JSON lines joined by "\n"
 *   cursor.json  {"v":1,"segment":S,"offset":O,"crc":C}: every entry before offset O of
 *     segment S, and every segment below S, is acknowledged (delivered or dead-lettered).
 *
 * INVARIANTS
 *   1. `append` resolves only after the entry is written and, with `fsync: batch`,
 *      fdatasync'ed (group commit: one write and one sync for every append waiting).
 *      With `fsync: interval` it resolves after the write (the data is in the page cache:
 *      kill -9 loses nothing, a power loss may lose up to one interval).
 *   2. A reader never sees an entry before its write completed.
 *   3. The cursor only moves over a contiguous prefix of acknowledged entries; entries
 *      acknowledged out of order wait until everything before them is acknowledged.
 *   4. The cursor file is replaced atomically (tmp + fsync + rename + dir fsync), and a
 *      segment is deleted only after a durable cursor lies beyond it. A crash at any point
 *      leaves a cursor that points into an existing segment or past every segment.
 *   5. Nothing unacknowledged is ever deleted: not at shutdown, not when the destination is
 *      down. Data is dropped only with `when_full: drop_oldest | drop_newest`, and counted.
 *   6. Memory is bounded whatever the backlog: segments are read streaming with a fixed
 *      buffer; only entries handed to senders (bounded by the caller) are held.
 *
 * RECOVERY (at open)
 *   - Missing or damaged cursor: start at the oldest segment (duplicates, never loss).
 *   - Cursor in a segment that is gone: start at the next segment that exists.
 *   - Segments below the cursor (a crash between cursor write and deletion): deleted.
 *   - The last segment is scanned: a torn tail (an incomplete or damaged last entry with no
 *     intact entry after it, from a crash mid-write) is truncated; those bytes were never
 *     acknowledged. Appends then go to a new segment.
 *   - A damaged entry elsewhere (bit rot, a stray write) is skipped when read, reported and
 *     counted; reading resumes at the next intact entry. Never a crash loop.
 *   - Files that are not segments are ignored; a segment with a damaged header is read
 *     for whatever intact entries it holds.
 *
 * CAPACITY
 *   `maxBytes` bounds the bytes from the cursor to the end of the log (plus appends in
 *   progress). When an append does not fit: `block` waits for acknowledgements (that wait
 *   is the backpressure receivers feel), `drop_newest` refuses the new batch, `drop_oldest`
 *   skips the oldest entries not yet handed to a sender. An entry larger than the whole
 *   queue is let in when the queue is empty, rather than never.
 */
import { mkdir, open, readdir, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ShutdownError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import {
  ENTRY_HEADER_SIZE, SEGMENT_HEADER_SIZE, encodeEntry, isSegmentHeader, parseSegmentFileName,
  payloadLines, segmentFileName, segmentHeader,
} from './format.ts';
import { SegmentReader } from './segment-reader.ts';
import { CURSOR_FILE, loadCursor, storeCursor, syncDirectory, type CursorPosition } from './cursor.ts';

export type WhenFull = 'block' | 'drop_oldest' | 'drop_newest';
export type QueueFsync = 'batch' | 'interval';

export interface DiskQueueOptions {
  directory: string;
  maxBytes: number;
  whenFull: WhenFull;
  fsync: QueueFsync;
  fsyncIntervalMs: number;
  /** Segment file size at which a new segment starts (default from maxBytes). */
  segmentBytes?: number;
  /** How long a moved cursor may wait before it is persisted (duplicates after a crash). */
  cursorSyncMs?: number;
  logger: Logger;
  events?: QueueEvents;
}

/** Hooks for metrics; all optional. */
export interface QueueEvents {
  corrupt?(kind: 'entry' | 'segment_header' | 'torn_tail' | 'cursor', bytes: number): void;
  dropped?(records: number, reason: 'drop_oldest' | 'drop_newest'): void;
}

/** An entry handed out by `read`, until acknowledged. */
interface EntryRef {
  segment: number;
  offset: number;
  end: number;
  count: number;
  timeMs: number;
  done: boolean;
}

/** Records read from the queue for one send; acknowledge with `ack(batch)`. */
export interface QueueBatch {
  readonly lines: string[];
  readonly records: number;
  readonly bytes: number;
  /** Enqueue time of its oldest entry, epoch ms. */
  readonly oldestMs: number;
  /** @internal */
  readonly entries: EntryRef[];
}

export type AppendResult = 'queued' | 'dropped';

interface Segment {
  id: number;
  path: string;
  /** Offset of this segment's byte 0 in the log's logical byte space. */
  base: number;
  /** Bytes written and readable. */
  size: number;
  sealed: boolean;
}

interface PendingWrite {
  entry: Buffer;
  count: number;
  resolve(): void;
  reject(error: Error): void;
}

interface RoomWaiter {
  bytes: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Directories open in this process: two exporters sharing one queue would corrupt it. */
const openDirectories = new Set<string>();

export class DiskQueue {
  private readonly options: DiskQueueOptions;
  private readonly log: Logger;
  private readonly segments: Segment[] = [];
  private writer!: FileHandle;
  private readonly pending: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private dirtySince = false;
  private reserved = 0;
  private readonly roomWaiters: RoomWaiter[] = [];

  private reader: { segment: Segment; fh: FileHandle; stream: SegmentReader } | undefined;
  private readerBusy: Promise<void> = Promise.resolve();
  /** An entry read but not handed out because it did not fit in the last batch. */
  private carry: { ref: EntryRef; lines: string[]; bytes: number } | undefined;
  private readonly dataWaiters: (() => void)[] = [];
  /** Bumped whenever readable data appears, so a reader cannot miss a wake-up. */
  private dataGeneration = 0;

  private readonly inflight: EntryRef[] = [];
  private cursor!: CursorPosition;
  private durable: CursorPosition | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private persisting: Promise<void> | undefined;
  private fsyncTimer: NodeJS.Timeout | undefined;

  private recordCount = 0;
  private firstUnreadMs: number | undefined;
  private closed = false;

  private constructor(options: DiskQueueOptions) {
    this.options = options;
    this.log = options.logger;
  }

  /** Opens (creating or recovering) the queue in `options.directory`. */
  static async open(options: DiskQueueOptions): Promise<DiskQueue> {
    if (openDirectories.has(options.directory)) {
      throw new Error(`sending queue directory ${options.directory} is already used by another exporter`);
    }
    openDirectories.add(options.directory);
    const queue = new DiskQueue(options);
    try {
      await queue.recover();
    } catch (error) {
      openDirectories.delete(options.directory);
      await queue.closeFiles();
      throw error;
    }
    return queue;
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  /** Bytes from the cursor to the end of the log, plus appends in progress. */
  get usedBytes(): number {
    return this.endOffset() + this.reserved - this.cursorOffset();
  }

  get records(): number {
    return this.recordCount;
  }

  /** Enqueue time of the oldest record not yet acknowledged (epoch ms), if any. */
  get oldestMs(): number | undefined {
    for (const e of this.inflight) if (!e.done) return e.timeMs;
    return this.recordCount > 0 ? this.firstUnreadMs : undefined;
  }

  /** True while appends would wait (or be dropped) for lack of room. */
  get saturated(): boolean {
    return this.roomWaiters.length > 0 || this.usedBytes >= this.options.maxBytes;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  // ---------------------------------------------------------------- append

  /**
   * Appends one batch of JSON lines as one entry. Resolves `queued` once durable per the
   * fsync policy, `dropped` when `when_full: drop_newest` refused it (counted).
   */
  async append(lines: readonly string[]): Promise<AppendResult> {
    if (this.closed) throw new ShutdownError('sending queue is closed');
    if (lines.length === 0) return 'queued';
    const entry = encodeEntry(Buffer.from(lines.join('\n'), 'utf8'), lines.length, Date.now());
    if (!(await this.reserve(entry.length, lines.length))) return 'dropped';
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ entry, count: lines.length, resolve: () => resolve('queued'), reject });
      this.flushing ??= this.flush();
    });
  }

  /** Takes room for `bytes`; false when the batch is to be dropped (drop_newest). */
  private async reserve(bytes: number, records: number): Promise<boolean> {
    if (this.roomWaiters.length === 0 && this.fits(bytes)) {
      this.reserved += bytes;
      return true;
    }
    if (this.options.whenFull === 'drop_newest') {
      this.options.events?.dropped?.(records, 'drop_newest');
      return false;
    }
    if (this.options.whenFull === 'drop_oldest' && this.roomWaiters.length === 0) {
      await this.dropOldestUntil(bytes);
      if (this.fits(bytes)) {
        this.reserved += bytes;
        return true;
      }
    }
    // Wait for acknowledgements (block; or drop_oldest when only handed-out entries are left).
    await new Promise<void>((resolve, reject) => this.roomWaiters.push({ bytes, resolve, reject }));
    return true;
  }

  private fits(bytes: number): boolean {
    const used = this.usedBytes;
    return used + bytes <= this.options.maxBytes || used === 0;
  }

  private wakeRoomWaiters(): void {
    while (this.roomWaiters.length > 0 && this.fits(this.roomWaiters[0]!.bytes)) {
      const w = this.roomWaiters.shift()!;
      this.reserved += w.bytes;
      w.resolve();
    }
  }

  /** Group commit: everything pending goes out in one write (and one fdatasync). */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        const bytes = batch.reduce((n, p) => n + p.entry.length, 0);
        try {
          let active = this.active();
          if (active.size >= this.segmentBytes() && active.size > SEGMENT_HEADER_SIZE) active = await this.roll();
          const data = batch.length === 1 ? batch[0]!.entry : Buffer.concat(batch.map((p) => p.entry), bytes);
          await writeAllAt(this.writer, data, active.size);
          if (this.options.fsync === 'batch') await this.writer.datasync();
          else this.dirtySince = true;
          active.size += data.length;
          for (const p of batch) this.recordCount += p.count;
          if (this.firstUnreadMs === undefined) this.firstUnreadMs = Date.now();
          this.reserved -= bytes;
          for (const p of batch) p.resolve();
          this.wakeReaders();
        } catch (error) {
          // The next write goes to the same offset, over whatever part of this one landed.
          this.reserved -= bytes;
          this.log.error('sending queue write failed; the batch is not acknowledged', { error: error as Error });
          for (const p of batch) p.reject(error as Error);
          this.wakeRoomWaiters();
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private segmentBytes(): number {
    return this.options.segmentBytes ?? Math.min(64 * 1024 * 1024, Math.max(1024 * 1024, Math.floor(this.options.maxBytes / 16)));
  }

  /** Seals the active segment and starts the next one. */
  private async roll(): Promise<Segment> {
    const old = this.active();
    this.dirtySince = false;
    await this.writer.datasync();
    await this.writer.close();
    const next = await this.createSegment(old.id + 1, old.base + old.size);
    old.sealed = true;
    this.wakeReaders();
    return next;
  }

  private async createSegment(id: number, base: number): Promise<Segment> {
    const path = join(this.options.directory, segmentFileName(id));
    const fh = await open(path, 'w+');
    try {
      await writeAllAt(fh, segmentHeader(), 0);
      await fh.datasync();
    } catch (error) {
      await fh.close();
      throw error;
    }
    await syncDirectory(this.options.directory);
    this.writer = fh;
    const segment: Segment = { id, path, base, size: SEGMENT_HEADER_SIZE, sealed: false };
    this.segments.push(segment);
    return segment;
  }

  private startFsyncTimer(): void {
    if (this.options.fsync !== 'interval') return;
    this.fsyncTimer = setInterval(() => {
      if (!this.dirtySince || this.closed) return;
      this.dirtySince = false;
      this.writer.datasync().catch((error: Error) => this.log.error('sending queue fsync failed', { error }));
    }, this.options.fsyncIntervalMs);
    this.fsyncTimer.unref();
  }

  // ---------------------------------------------------------------- read

  /**
   * The next batch: at least one entry, more while they fit in `maxBytes` of payload.
   * Waits for data; resolves undefined once the queue is closed or `signal` aborts.
   */
  async read(maxBytes: number, signal?: AbortSignal): Promise<QueueBatch | undefined> {
    for (;;) {
      if (this.closed || signal?.aborted) return undefined;
      const generation = this.dataGeneration;
      const batch = await this.withReader(() => this.readBatch(maxBytes));
      if (batch) return batch;
      if (generation !== this.dataGeneration) continue;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.dataWaiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  private async readBatch(maxBytes: number): Promise<QueueBatch | undefined> {
    const entries: EntryRef[] = [];
    const lines: string[] = [];
    let bytes = 0;
    let records = 0;
    for (;;) {
      const next = this.carry ?? (await this.readEntry());
      this.carry = undefined;
      if (!next) break;
      if (entries.length > 0 && bytes + next.bytes > maxBytes) {
        this.carry = next;
        break;
      }
      entries.push(next.ref);
      for (const l of next.lines) lines.push(l);
      bytes += next.bytes;
      records += next.ref.count;
      if (bytes >= maxBytes) break;
    }
    if (entries.length === 0) return undefined;
    return { lines, records, bytes, oldestMs: entries[0]!.timeMs, entries };
  }

  /** Reads the next intact entry (registering it as handed out), skipping damage. */
  private async readEntry(options: { skipPayload?: boolean } = {}): Promise<{ ref: EntryRef; lines: string[]; bytes: number } | undefined> {
    for (;;) {
      const r = this.reader;
      if (!r) return undefined;
      const result = await r.stream.next(r.segment.size, options);
      if (result.kind === 'entry') {
        const ref: EntryRef = {
          segment: r.segment.id, offset: result.offset, end: result.end,
          count: result.header.count, timeMs: result.header.timeMs, done: false,
        };
        this.inflight.push(ref);
        const lines = options.skipPayload ? [] : payloadLines(result.payload);
        if (result.header.length > 1024 * 1024) r.stream.shrink();
        this.firstUnreadMs = undefined;
        return { ref, lines, bytes: result.header.length };
      }
      if (result.kind === 'corrupt') {
        this.log.warn('sending queue: skipped a damaged entry; the records in it are lost, the rest are delivered', {
          segment: segmentFileName(r.segment.id), offset: result.offset, bytes: result.end - result.offset,
        });
        this.options.events?.corrupt?.('entry', result.end - result.offset);
        this.inflight.push({ segment: r.segment.id, offset: result.offset, end: result.end, count: 0, timeMs: 0, done: true });
        this.advanceCursor();
        continue;
      }
      if (!r.segment.sealed) return undefined;
      if (!(await this.openReaderAt(this.segmentAfter(r.segment.id), SEGMENT_HEADER_SIZE))) return undefined;
    }
  }

  private segmentAfter(id: number): Segment | undefined {
    return this.segments.find((s) => s.id > id);
  }

  private async openReaderAt(segment: Segment | undefined, offset: number): Promise<boolean> {
    if (this.reader) await this.reader.fh.close().catch(() => {});
    this.reader = undefined;
    if (!segment) return false;
    const fh = await open(segment.path, 'r');
    if (offset <= SEGMENT_HEADER_SIZE && segment.size >= SEGMENT_HEADER_SIZE) {
      const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
      await fh.read(header, 0, SEGMENT_HEADER_SIZE, 0);
      if (!isSegmentHeader(header)) {
        this.log.warn('sending queue: segment header is damaged; reading the intact entries it holds', { segment: segmentFileName(segment.id) });
        this.options.events?.corrupt?.('segment_header', SEGMENT_HEADER_SIZE);
      }
    }
    this.reader = { segment, fh, stream: new SegmentReader(fh, Math.max(offset, SEGMENT_HEADER_SIZE)) };
    return true;
  }

  /** Serialises reader use (read and drop_oldest both move it). */
  private withReader<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.readerBusy.then(fn);
    this.readerBusy = run.then(() => undefined, () => undefined);
    return run;
  }

  private wakeReaders(): void {
    this.dataGeneration++;
    for (const w of this.dataWaiters.splice(0)) w();
  }

  /** drop_oldest: skips entries not yet handed out until `bytes` fit (or none are left). */
  private async dropOldestUntil(bytes: number): Promise<void> {
    await this.withReader(async () => {
      while (!this.fits(bytes)) {
        const victim = this.carry ?? (await this.readEntry({ skipPayload: true }));
        this.carry = undefined;
        if (!victim) return;
        victim.ref.done = true;
        this.recordCount = Math.max(0, this.recordCount - victim.ref.count);
        this.options.events?.dropped?.(victim.ref.count, 'drop_oldest');
        this.advanceCursor();
      }
    });
  }

  // ---------------------------------------------------------------- acknowledge

  /** Marks a batch delivered (or dead-lettered); its space is freed once the prefix is. */
  ack(batch: QueueBatch): void {
    if (this.closed) return;
    for (const e of batch.entries) {
      if (e.done) continue;
      e.done = true;
      this.recordCount = Math.max(0, this.recordCount - e.count);
    }
    this.advanceCursor();
  }

  private advanceCursor(): void {
    let moved = false;
    while (this.inflight.length > 0 && this.inflight[0]!.done) {
      const e = this.inflight.shift()!;
      this.cursor = { segment: e.segment, offset: e.end };
      moved = true;
    }
    if (!moved) return;
    this.normalizeCursor();
    // Damaged entries count no records; an empty queue holds none, whatever was counted.
    if (this.cursorOffset() === this.endOffset()) this.recordCount = 0;
    this.wakeRoomWaiters();
    this.scheduleCursorSync();
  }

  /** A cursor at the end of a sealed segment is the start of the next one. */
  private normalizeCursor(): void {
    for (;;) {
      const seg = this.segments.find((s) => s.id === this.cursor.segment);
      if (!seg || !seg.sealed || this.cursor.offset < seg.size) return;
      const next = this.segmentAfter(seg.id);
      if (!next) return;
      this.cursor = { segment: next.id, offset: SEGMENT_HEADER_SIZE };
    }
  }

  private cursorOffset(): number {
    const seg = this.segments.find((s) => s.id === this.cursor.segment);
    return seg ? seg.base + this.cursor.offset : this.endOffset();
  }

  private endOffset(): number {
    const a = this.active();
    return a.base + a.size;
  }

  private scheduleCursorSync(): void {
    if (this.cursorTimer || this.closed) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = undefined;
      void this.syncCursor();
    }, this.options.cursorSyncMs ?? 200);
    this.cursorTimer.unref();
  }

  /** Persists the cursor, then deletes the segments it has passed (invariant 4). */
  async syncCursor(): Promise<void> {
    while (this.persisting) await this.persisting;
    const position = { ...this.cursor };
    if (this.durable && this.durable.segment === position.segment && this.durable.offset === position.offset) return;
    this.persisting = (async () => {
      try {
        await storeCursor(this.options.directory, position);
        this.durable = position;
        await this.deleteSegmentsBefore(position.segment);
      } catch (error) {
        this.log.error('sending queue: cannot persist the read cursor; segments are kept until it can', { error: error as Error });
      } finally {
        this.persisting = undefined;
      }
    })();
    await this.persisting;
  }

  private async deleteSegmentsBefore(segmentId: number): Promise<void> {
    while (this.segments.length > 1 && this.segments[0]!.id < segmentId && this.segments[0]!.sealed) {
      const seg = this.segments[0]!;
      if (this.reader?.segment === seg) return;
      await rm(seg.path, { force: true });
      this.segments.shift();
    }
  }

  // ---------------------------------------------------------------- open / close

  private async recover(): Promise<void> {
    const dir = this.options.directory;
    await mkdir(dir, { recursive: true });
    const ids: number[] = [];
    for (const name of await readdir(dir)) {
      const id = parseSegmentFileName(name);
      if (id !== undefined) ids.push(id);
      else if (name !== CURSOR_FILE && !name.startsWith(CURSOR_FILE)) {
        this.log.warn('sending queue: ignoring a file that is not part of the queue', { file: name });
      }
    }
    ids.sort((a, b) => a - b);

    const loaded = await loadCursor(dir);
    if (loaded.kind === 'corrupt') {
      this.log.warn('sending queue: the cursor file is damaged; resending from the oldest segment (duplicates possible)', { reason: loaded.reason });
      this.options.events?.corrupt?.('cursor', 0);
    }
    let cursor: CursorPosition | undefined = loaded.kind === 'ok' ? loaded.position : undefined;
    if (cursor && ids.length > 0 && !ids.includes(cursor.segment)) {
      const next = ids.find((id) => id > cursor!.segment);
      if (next !== undefined && next !== ids[0]) {
        this.log.warn('sending queue: the cursor points to a segment that is gone; continuing at the next one', { cursor_segment: cursor.segment });
      }
      cursor = next === undefined ? { segment: cursor.segment, offset: SEGMENT_HEADER_SIZE } : { segment: next, offset: SEGMENT_HEADER_SIZE };
    }
    // Segments the cursor has passed (a crash between persisting it and deleting them).
    const keep: number[] = [];
    for (const id of ids) {
      if (cursor && id < cursor.segment) await rm(join(dir, segmentFileName(id)), { force: true });
      else keep.push(id);
    }

    let base = 0;
    for (const id of keep) {
      const path = join(dir, segmentFileName(id));
      const size = await fileSize(path);
      this.segments.push({ id, path, base, size, sealed: true });
      base += size;
    }
    const last = this.segments[this.segments.length - 1];
    if (last) await this.repairTail(last);

    if (last && last.size === SEGMENT_HEADER_SIZE && (!cursor || cursor.segment <= last.id)) {
      // An empty last segment (a restart right after a roll): write to it again.
      this.segments.pop();
      this.writer = await open(last.path, 'r+');
      last.sealed = false;
      this.segments.push(last);
    } else {
      await this.createSegment(Math.max(last?.id ?? 0, cursor?.segment ?? 0) + 1, last ? last.base + last.size : 0);
    }

    const first = this.segments[0]!;
    if (!cursor || cursor.segment < first.id) cursor = { segment: first.id, offset: SEGMENT_HEADER_SIZE };
    else {
      const seg = this.segments.find((s) => s.id === cursor!.segment)!;
      cursor = { segment: seg.id, offset: Math.min(Math.max(cursor.offset, SEGMENT_HEADER_SIZE), seg.size) };
    }
    this.cursor = cursor;
    this.durable = loaded.kind === 'ok' ? loaded.position : undefined;
    this.normalizeCursor();
    await this.countBacklog();
    await this.openReaderAt(this.segments.find((s) => s.id === this.cursor.segment), this.cursor.offset);
    this.startFsyncTimer();
    if (this.recordCount > 0) {
      this.log.info('sending queue: resuming with a backlog', { records: this.recordCount, bytes: this.usedBytes, segments: this.segments.length });
    }
  }

  /** Truncates a torn tail of the last segment (see RECOVERY). */
  private async repairTail(segment: Segment): Promise<void> {
    if (segment.size < SEGMENT_HEADER_SIZE) {
      // Torn at creation: nothing in it was ever acknowledged.
      await truncate(segment.path, 0);
      const fh = await open(segment.path, 'r+');
      try {
        await writeAllAt(fh, segmentHeader(), 0);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      segment.size = SEGMENT_HEADER_SIZE;
      return;
    }
    const fh = await open(segment.path, 'r');
    let tornAt: number | undefined;
    try {
      const stream = new SegmentReader(fh, SEGMENT_HEADER_SIZE);
      for (;;) {
        const r = await stream.next(segment.size);
        if (r.kind === 'end') break;
        if (r.kind === 'corrupt' && r.end >= segment.size) {
          tornAt = r.offset;
          break;
        }
      }
    } finally {
      await fh.close();
    }
    if (tornAt === undefined) return;
    this.log.warn('sending queue: truncated a torn tail left by a crash mid-write (never acknowledged)', {
      segment: segmentFileName(segment.id), bytes: segment.size - tornAt,
    });
    this.options.events?.corrupt?.('torn_tail', segment.size - tornAt);
    await truncate(segment.path, tornAt);
    segment.size = tornAt;
  }

  /** Counts records from the cursor on (entry headers only) for the gauges. */
  private async countBacklog(): Promise<void> {
    let count = 0;
    let first: number | undefined;
    for (const seg of this.segments) {
      if (seg.id < this.cursor.segment || seg.size <= SEGMENT_HEADER_SIZE) continue;
      const fh = await open(seg.path, 'r');
      try {
        const stream = new SegmentReader(fh, seg.id === this.cursor.segment ? this.cursor.offset : SEGMENT_HEADER_SIZE, 64 * 1024);
        for (;;) {
          const r = await stream.next(seg.size, { skipPayload: true });
          if (r.kind === 'end') break;
          if (r.kind === 'entry') {
            count += r.header.count;
            first ??= r.header.timeMs;
          }
        }
      } finally {
        await fh.close();
      }
    }
    this.recordCount = count;
    this.firstUnreadMs = first;
  }

  /**
   * Stops appends and reads, waits for writes in progress, syncs data and persists the
   * cursor. Entries handed out and not acknowledged stay in the queue for the next start.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.roomWaiters.splice(0)) w.reject(new ShutdownError('sending queue is closing'));
    this.wakeReaders();
    while (this.flushing) await this.flushing;
    clearTimeout(this.cursorTimer);
    clearInterval(this.fsyncTimer);
    try {
      await this.writer.datasync().catch(() => {});
      await this.syncCursor();
    } finally {
      await this.readerBusy;
      await this.closeFiles();
      openDirectories.delete(this.options.directory);
    }
  }

  private async closeFiles(): Promise<void> {
    await this.reader?.fh.close().catch(() => {});
    this.reader = undefined;
    await this.writer?.close().catch(() => {});
  }
}

async function writeAllAt(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    off += bytesWritten;
  }
}

async function fileSize(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}

export { ENTRY_HEADER_SIZE };

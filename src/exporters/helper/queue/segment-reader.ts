/**
 * Streams the entries of one segment file with a bounded buffer, validating each entry's
 * CRC. A damaged region (bad magic, implausible length, CRC mismatch, an entry running past
 * the end) is reported once as `corrupt` with its byte range, and reading resumes at the
 * next intact entry, found by scanning for the entry magic and checking that candidate's
 * CRC. So one flipped byte costs one entry, never the rest of the segment.
 */
import type { FileHandle } from 'node:fs/promises';
import {
  ENTRY_HEADER_SIZE, ENTRY_MAGIC, entryIntact, readEntryHeader, type EntryHeader,
} from './format.ts';

export type SegmentRead =
  | { kind: 'entry'; offset: number; end: number; header: EntryHeader; payload: Buffer }
  | { kind: 'corrupt'; offset: number; end: number }
  | { kind: 'end' };

const MAGIC_BYTES = (() => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(ENTRY_MAGIC, 0);
  return b;
})();

const DEFAULT_CHUNK = 1024 * 1024;

export class SegmentReader {
  private readonly fh: FileHandle;
  private buf: Buffer;
  /** File offset of buf[0], and how many bytes of buf are valid. */
  private bufStart = 0;
  private bufLen = 0;
  /** Next entry's file offset. */
  pos: number;

  private readonly chunk: number;

  /** `chunk`: read-ahead size; small when only entry headers are wanted. */
  constructor(fh: FileHandle, pos: number, chunk = DEFAULT_CHUNK) {
    this.fh = fh;
    this.pos = pos;
    this.chunk = chunk;
    this.buf = Buffer.allocUnsafe(chunk);
  }

  /**
   * Reads the next entry below `limit` (the segment's readable end). `payload` is a view
   * into the reader's buffer, valid until the next call: copy or decode it first.
   * With `skipPayload` the CRC is not checked (used to count, or to drop unread entries).
   */
  async next(limit: number, options: { skipPayload?: boolean } = {}): Promise<SegmentRead> {
    const offset = this.pos;
    if (offset >= limit) return { kind: 'end' };
    const have = await this.ensure(offset, ENTRY_HEADER_SIZE, limit);
    const header = have >= ENTRY_HEADER_SIZE ? readEntryHeader(this.buf, offset - this.bufStart) : undefined;
    if (header) {
      const end = offset + ENTRY_HEADER_SIZE + header.length;
      if (end <= limit) {
        if (options.skipPayload) {
          this.pos = end;
          return { kind: 'entry', offset, end, header, payload: Buffer.alloc(0) };
        }
        await this.ensure(offset, end - offset, limit);
        const at = offset - this.bufStart;
        if (entryIntact(this.buf.subarray(0, this.bufLen), at, header)) {
          this.pos = end;
          return { kind: 'entry', offset, end, header, payload: this.buf.subarray(at + ENTRY_HEADER_SIZE, at + ENTRY_HEADER_SIZE + header.length) };
        }
      }
    }
    const next = await this.findNextIntact(offset + 1, limit);
    this.pos = next;
    return { kind: 'corrupt', offset, end: next };
  }

  /** Releases a buffer grown for a large entry. */
  shrink(): void {
    if (this.buf.length > this.chunk) {
      this.buf = Buffer.allocUnsafe(this.chunk);
      this.bufLen = 0;
    }
  }

  /** The offset of the next intact entry at or after `from`, or `limit` when there is none. */
  private async findNextIntact(from: number, limit: number): Promise<number> {
    let at = from;
    while (at + ENTRY_HEADER_SIZE <= limit) {
      const have = await this.ensure(at, Math.min(this.chunk, limit - at), limit);
      if (have < MAGIC_BYTES.length) break;
      const rel = this.buf.subarray(0, this.bufLen).indexOf(MAGIC_BYTES, at - this.bufStart);
      if (rel < 0) {
        // Keep the last 3 bytes: the magic may straddle the chunk boundary.
        at = this.bufStart + this.bufLen - (MAGIC_BYTES.length - 1);
        if (this.bufStart + this.bufLen >= limit) break;
        continue;
      }
      const candidate = this.bufStart + rel;
      if (await this.intactAt(candidate, limit)) return candidate;
      at = candidate + 1;
    }
    return limit;
  }

  private async intactAt(offset: number, limit: number): Promise<boolean> {
    if ((await this.ensure(offset, ENTRY_HEADER_SIZE, limit)) < ENTRY_HEADER_SIZE) return false;
    const header = readEntryHeader(this.buf, offset - this.bufStart);
    if (!header) return false;
    const size = ENTRY_HEADER_SIZE + header.length;
    if (offset + size > limit) return false;
    await this.ensure(offset, size, limit);
    return entryIntact(this.buf.subarray(0, this.bufLen), offset - this.bufStart, header);
  }

  /**
   * Makes the buffer hold [offset, offset + n) (clamped to `limit`), reading ahead up to the
   * buffer's size. Returns how many bytes from `offset` are available.
   */
  private async ensure(offset: number, n: number, limit: number): Promise<number> {
    const want = Math.min(n, limit - offset);
    if (want <= 0) return 0;
    if (offset >= this.bufStart && offset + want <= this.bufStart + this.bufLen) return this.bufStart + this.bufLen - offset;
    if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
    else if (this.buf.length > this.chunk && want <= this.chunk) this.buf = Buffer.allocUnsafe(this.chunk);
    const toRead = Math.min(this.buf.length, limit - offset);
    let filled = 0;
    while (filled < toRead) {
      const { bytesRead } = await this.fh.read(this.buf, filled, toRead - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.bufStart = offset;
    this.bufLen = filled;
    return filled;
  }
}

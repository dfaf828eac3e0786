/**
 * The disk queue's byte format: segment headers and entries. Pure functions, no I/O.
 * The layout is described in `disk-queue.ts`; this file is its single implementation.
 */
import { crc32 } from 'node:zlib';

/** "CUSTODYQ": the first 8 bytes of every segment. */
export const SEGMENT_MAGIC = Buffer.from('CUSTODYQ', 'latin1');
export const SEGMENT_VERSION = 1;
/** magic(8) + version u32 + reserved u32. */
export const SEGMENT_HEADER_SIZE = 16;

/** First word of every entry; lets a reader find the next entry after a corrupt one. */
export const ENTRY_MAGIC = 0xc0570d1e;
/** magic u32, crc u32, length u32, count u32, time f64. */
export const ENTRY_HEADER_SIZE = 24;
/** A length beyond this is corruption, not data (a batch of 16k records is a few MiB). */
export const MAX_ENTRY_PAYLOAD = 256 * 1024 * 1024;

const SEGMENT_NAME = /^(\d{20})\.seg$/;

export function segmentFileName(id: number): string {
  return `${String(id).padStart(20, '0')}.seg`;
}

/** The segment id a file name stands for, or undefined for any other file. */
export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

export function segmentHeader(): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt32LE(SEGMENT_VERSION, 8);
  return header;
}

export function isSegmentHeader(buf: Buffer): boolean {
  return buf.length >= SEGMENT_HEADER_SIZE
    && buf.subarray(0, 8).equals(SEGMENT_MAGIC)
    && buf.readUInt32LE(8) === SEGMENT_VERSION;
}

/** Encodes one entry: `count` records as JSON lines joined by "\n". */
export function encodeEntry(payload: Buffer, count: number, timeMs: number): Buffer {
  const entry = Buffer.allocUnsafe(ENTRY_HEADER_SIZE + payload.length);
  entry.writeUInt32LE(ENTRY_MAGIC, 0);
  entry.writeUInt32LE(payload.length, 8);
  entry.writeUInt32LE(count, 12);
  entry.writeDoubleLE(timeMs, 16);
  payload.copy(entry, ENTRY_HEADER_SIZE);
  entry.writeUInt32LE(crc32(entry.subarray(8)), 4);
  return entry;
}

export interface EntryHeader {
  crc: number;
  length: number;
  count: number;
  timeMs: number;
}

/**
 * Reads an entry header at `offset` of `buf`; undefined when the magic is wrong or the
 * length is implausible (both mean corruption, or a torn write).
 */
export function readEntryHeader(buf: Buffer, offset: number): EntryHeader | undefined {
  if (buf.length - offset < ENTRY_HEADER_SIZE) return undefined;
  if (buf.readUInt32LE(offset) !== ENTRY_MAGIC) return undefined;
  const length = buf.readUInt32LE(offset + 8);
  if (length > MAX_ENTRY_PAYLOAD) return undefined;
  return {
    crc: buf.readUInt32LE(offset + 4),
    length,
    count: buf.readUInt32LE(offset + 12),
    timeMs: buf.readDoubleLE(offset + 16),
  };
}

/** True when the entry starting at `offset` (header and whole payload in `buf`) is intact. */
export function entryIntact(buf: Buffer, offset: number, header: EntryHeader): boolean {
  const end = offset + ENTRY_HEADER_SIZE + header.length;
  if (end > buf.length) return false;
  return crc32(buf.subarray(offset + 8, end)) === header.crc;
}

/** Splits an entry payload back into its JSON lines. */
export function payloadLines(payload: Buffer): string[] {
  return payload.length === 0 ? [] : payload.toString('utf8').split('\n');
}

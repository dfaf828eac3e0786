/**
 * The acknowledged-read cursor of a disk queue: the position of the first entry not yet
 * acknowledged. Persisted atomically (write a temp file, fsync it, rename it over the old
 * one, fsync the directory) so that after a crash the file holds either the old or the new
 * cursor, whole. A checksum inside catches a damaged file; the queue then starts from its
 * oldest segment (duplicates, never loss).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface CursorPosition {
  segment: number;
  offset: number;
}

export const CURSOR_FILE = 'cursor.json';
const CURSOR_TMP = 'cursor.json.tmp';

function checksum(p: CursorPosition): number {
  return crc32(`${p.segment}:${p.offset}`);
}

export type CursorLoad =
  | { kind: 'ok'; position: CursorPosition }
  | { kind: 'missing' }
  | { kind: 'corrupt'; reason: string };

export async function loadCursor(dir: string): Promise<CursorLoad> {
  let text: string;
  try {
    text = await readFile(join(dir, CURSOR_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const segment = v.segment;
    const offset = v.offset;
    if (v.v !== 1 || !Number.isSafeInteger(segment) || !Number.isSafeInteger(offset) || (segment as number) < 0 || (offset as number) < 0) {
      return { kind: 'corrupt', reason: 'unexpected content' };
    }
    const position = { segment: segment as number, offset: offset as number };
    if (v.crc !== checksum(position)) return { kind: 'corrupt', reason: 'checksum mismatch' };
    return { kind: 'ok', position };
  } catch {
    return { kind: 'corrupt', reason: 'not JSON' };
  }
}

/** Writes the cursor durably; when this resolves, a crash cannot bring back an older one. */
export async function storeCursor(dir: string, position: CursorPosition): Promise<void> {
  const body = JSON.stringify({ v: 1, segment: position.segment, offset: position.offset, crc: checksum(position) }) + '\n';
  const tmp = join(dir, CURSOR_TMP);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(body);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, CURSOR_FILE));
  await syncDirectory(dir);
}

/** fsync a directory so renames, creations and deletions in it survive power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the change is then as durable as they allow.
  } finally {
    await fh.close();
  }
}

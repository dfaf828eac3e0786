/**
 * An append-only line file with group commit, torn-line repair and size rotation. Shared by
 * the file exporter and anything else that appends JSON lines durably.
 */
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Logger } from '../../core/logger.ts';

export type FsyncPolicy = 'batch' | 'interval' | 'none';

export interface FileWriterOptions {
  path: string;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  maxSize: number;
  maxBackups: number;
  logger: Logger;
}

interface Pending {
  text: string;
  resolve(): void;
  reject(error: Error): void;
}

export class FileWriter {
  private fh: FileHandle | undefined;
  private size = 0;
  private pending: Pending[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;

  private readonly options: FileWriterOptions;

  constructor(options: FileWriterOptions) {
    this.options = options;
  }

  async open(): Promise<void> {
    await mkdir(dirname(this.options.path), { recursive: true });
    this.fh = await open(this.options.path, 'a+');
    this.size = (await this.fh.stat()).size;
    await this.repairTornTail();
    if (this.options.fsync === 'interval') {
      this.timer = setInterval(() => void this.syncIfDirty(), this.options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Appends text (whole lines); resolves once written (and synced per policy). */
  append(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`file ${this.options.path} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.pending.length > 0) await this.flush();
    clearInterval(this.timer);
    if (this.fh) {
      if (this.options.fsync !== 'none') await this.fh.datasync().catch(() => {});
      await this.fh.close();
      this.fh = undefined;
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          // One buffer per waiting append and one writev: joining them into one string would
          // put megabyte strings in V8's large-object space, which it is slow to give back.
          const buffers = batch.map((p) => Buffer.from(p.text, 'utf8'));
          this.size += await writeAll(this.fh!, buffers);
          if (this.options.fsync === 'batch') await this.fh!.datasync();
          else this.dirty = true;
          if (this.options.maxSize > 0 && this.size >= this.options.maxSize) await this.rotate();
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async syncIfDirty(): Promise<void> {
    if (!this.dirty || !this.fh) return;
    this.dirty = false;
    await this.fh.datasync().catch((error: Error) => this.options.logger.error('fsync failed', { error }));
  }

  /** Cuts a partial last line left by a crash mid-write, so the file is whole lines. */
  private async repairTornTail(): Promise<void> {
    const fh = this.fh!;
    if (this.size === 0) return;
    const chunk = Buffer.alloc(64 * 1024);
    let end = this.size;
    const { bytesRead } = await fh.read(chunk, 0, 1, end - 1);
    if (bytesRead === 1 && chunk[0] === 0x0a) return;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead: n } = await fh.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        end = start + nl + 1;
        break;
      }
      end = start;
    }
    this.options.logger.warn('cut a torn last line left by an earlier crash', { path: this.options.path, bytes: this.size - end });
    await fh.truncate(end);
    await fh.datasync();
    this.size = end;
  }

  private async rotate(): Promise<void> {
    const { path } = this.options;
    await this.fh!.datasync();
    await this.fh!.close();
    const ext = extname(path);
    const base = basename(path, ext);
    const stamp = new Date().toISOString().replace(/:/g, '-');
    let target = join(dirname(path), `${base}-${stamp}${ext}`);
    for (let i = 1; await exists(target); i++) target = join(dirname(path), `${base}-${stamp}.${i}${ext}`);
    await rename(path, target);
    this.fh = await open(path, 'a+');
    this.size = 0;
    await syncDir(dirname(path));
    if (this.options.maxBackups > 0) await this.prune(base, ext);
  }

  private async prune(base: string, ext: string): Promise<void> {
    const dir = dirname(this.options.path);
    const rotated = (await readdir(dir))
      .filter((f) => f.startsWith(`${base}-`) && f.endsWith(ext) && /^\d{4}-\d{2}-\d{2}T/.test(f.slice(base.length + 1)))
      .sort();
    for (const f of rotated.slice(0, Math.max(0, rotated.length - this.options.maxBackups))) {
      await rm(join(dir, f), { force: true });
    }
  }
}

/** writev until every byte is written (a short write resumes where it stopped). */
async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<number> {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = 0;
  let pending = buffers;
  while (written < total) {
    const { bytesWritten } = await fh.writev(pending);
    written += bytesWritten;
    if (written >= total) break;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (skip >= b.length) { skip -= b.length; continue; }
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    pending = rest;
  }
  return total;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** fsync a directory so a rename in it survives power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is then as durable as they allow.
  } finally {
    await fh.close();
  }
}

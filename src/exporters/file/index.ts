/**
 * `file` exporter: the contract's JSONL, one record per line, keys in contract order.
 *
 * Durability: `export` resolves after the batch's bytes are written and, with the default
 * `fsync: batch`, fdatasync'ed. Concurrent exports are group-committed (one write and one
 * sync for everything waiting), so per-batch durability costs little under load.
 * Crash safety: a torn last line (a crash mid-write) is cut off when the file is opened,
 * so the file is always whole lines; the torn records were never acknowledged.
 * Rotation: past `rotation.max_size` the file is renamed to `<name>-<UTC time><ext>` and a
 * new one started; only the newest `rotation.max_backups` rotated files are kept.
 */
import type { ExporterFactory, Exporter, CreateContext } from '../../core/component.ts';
import { object, str, oneOf, duration, size, int } from '../../config/schemas.ts';
import { FileWriter, type FsyncPolicy } from './writer.ts';
import { recordToJson, type LogRecord } from '../../core/record.ts';

export interface FileExporterConfig {
  path: string;
  fsync: FsyncPolicy;
  fsync_interval: number;
  rotation: { max_size: number; max_backups: number };
}

const configSchema = object({
  path: str('file to append JSON lines to'),
  fsync: oneOf(['batch', 'interval', 'none'], 'batch: sync before acknowledging each batch; interval: every fsync_interval; none: leave it to the OS'),
  fsync_interval: duration('sync period when fsync is interval'),
  rotation: object({
    max_size: size('rotate when the file passes this size; 0 never rotates'),
    max_backups: int(0, 'rotated files kept; 0 keeps all'),
  }),
}, ['path']);

class FileExporter implements Exporter {
  private readonly writer: FileWriter;
  private readonly written;

  constructor(config: FileExporterConfig, ctx: CreateContext) {
    this.writer = new FileWriter({
      path: ctx.resolvePath(config.path),
      fsync: config.fsync,
      fsyncIntervalMs: config.fsync_interval,
      maxSize: config.rotation.max_size,
      maxBackups: config.rotation.max_backups,
      logger: ctx.logger,
    });
    this.written = ctx.telemetry.counter('custody_file_exporter_written_bytes_total', 'Bytes the file exporter wrote', ['exporter']).labels(ctx.id);
  }

  async start(): Promise<void> {
    await this.writer.open();
  }

  async export(records: LogRecord[]): Promise<void> {
    let text = '';
    for (const r of records) text += recordToJson(r) + '\n';
    await this.writer.append(text);
    this.written.inc(Buffer.byteLength(text));
  }

  async shutdown(): Promise<void> {
    await this.writer.close();
  }
}

export const fileExporterFactory: ExporterFactory<FileExporterConfig> = {
  kind: 'exporter',
  type: 'file',
  configSchema,
  defaults: () => ({
    path: './data/out/audit.jsonl',
    fsync: 'batch',
    fsync_interval: '1s',
    rotation: { max_size: '100MiB', max_backups: 10 },
  }),
  create: (config, ctx) => new FileExporter(config, ctx),
};

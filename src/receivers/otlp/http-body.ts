/**
 * Reads an OTLP/HTTP request body within limits: `max_request_size` for the bytes on the
 * wire and again for the decompressed bytes (a small gzip body must not inflate into
 * gigabytes), and the receiver's shared byte budget for what is held in memory.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { ByteBudget } from './byte-budget.ts';
import { OtlpInvalidRequestError, OtlpRequestTooLargeError, OtlpUnsupportedMediaError } from './errors.ts';

/** The receiver holds too many bytes already; the client should retry later. */
export class BudgetExceeded extends Error {}
/** The client went away before the body was read. */
export class BodyAborted extends Error {}

type Decompress = (buf: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;

const DECOMPRESSORS: Record<string, Decompress> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress) as Decompress,
  zstd: promisify(zlib.zstdDecompress) as Decompress,
};

/** The Content-Encoding's decompressor; undefined for identity; throws for unsupported ones. */
export function decompressorFor(header: string | undefined): Decompress | undefined {
  const coding = (header ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return undefined;
  const d = DECOMPRESSORS[coding];
  if (!d) throw new OtlpUnsupportedMediaError(`unsupported Content-Encoding "${coding.slice(0, 40)}" (use gzip, deflate, br, zstd or none)`);
  return d;
}

/** Holds budget taken for one request, so it is given back exactly once. */
export class BudgetHold {
  private held = 0;
  private readonly budget: ByteBudget;
  constructor(budget: ByteBudget) {
    this.budget = budget;
  }
  take(n: number): void {
    if (!this.budget.tryTake(n)) throw new BudgetExceeded('the agent holds too many request bytes; retry later');
    this.held += n;
  }
  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}

/** True when the declared Content-Length is already over the limit. */
export function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > maxBytes;
}

export function readBody(req: IncomingMessage, maxBytes: number, hold: BudgetHold): Promise<Buffer> {
  if (declaredTooLarge(req, maxBytes)) {
    return Promise.reject(new OtlpRequestTooLargeError(`request body of ${req.headers['content-length']} bytes is over the limit of ${maxBytes}`));
  }
  // Budget is taken as bytes arrive, not from Content-Length up front: a client trickling a
  // large body then holds only what it has sent, and cannot starve the others.
  // Events rather than async iteration: leaving a `for await` early destroys the request
  // and its socket, and the client would never see the 413.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      try {
        if (total > maxBytes) throw new OtlpRequestTooLargeError(`request body is over the limit of ${maxBytes} bytes`);
        hold.take(chunk.length);
      } catch (error) {
        stop();
        req.pause();
        reject(error);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onClose = (): void => {
      stop();
      reject(new BodyAborted('request body was not received whole'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.once('error', onClose);
  });
}

export async function decompress(body: Buffer, decompressor: Decompress, maxBytes: number, hold: BudgetHold): Promise<Buffer> {
  let out: Buffer;
  try {
    out = await decompressor(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new OtlpRequestTooLargeError(`decompressed request body is over the limit of ${maxBytes} bytes`);
    }
    throw new OtlpInvalidRequestError(`request body does not decompress: ${(error as Error).message}`);
  }
  hold.take(out.length);
  return out;
}

/**
 * OTLP/HTTP: `POST /v1/logs` (path configurable) with `application/x-protobuf` or
 * `application/json` bodies, optionally compressed (Content-Encoding gzip, deflate, br,
 * zstd), over HTTP/1.1 with or without TLS. Answers follow the OTLP/HTTP spec: the response
 * body is in the request's encoding (ExportLogsServiceResponse on success, google.rpc.Status
 * on failure), 400 for bad data, 413 for bodies over `max_request_size`, 415 for unknown
 * media types, 503 with Retry-After for throttling and retryable failures.
 *
 * Oversized bodies are refused from Content-Length before they are read (and answered
 * before `100-continue`), else as soon as the limit is passed; the connection is then
 * closed rather than reading the rest.
 *
 * Shutdown: the listener closes, idle connections are closed, requests in flight finish
 * (their responses carry `Connection: close`) up to `shutdown_timeout`, then the remaining
 * connections are closed.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/logger.ts';
import type { ServerTls } from '../../core/tls.ts';
import type { ByteBudget } from './byte-budget.ts';
import type { Endpoint, HttpConfig } from './config.ts';
import { Cors } from './cors.ts';
import { OtlpInvalidRequestError, OtlpRequestTooLargeError, OtlpUnsupportedMediaError } from './errors.ts';
import { BodyAborted, BudgetExceeded, BudgetHold, declaredTooLarge, decompress, decompressorFor, readBody } from './http-body.ts';
import { outcomeOf, type Encoding, type ExportResult, type Ingest } from './ingest.ts';
import type { OtlpMetrics, RequestOutcome } from './metrics.ts';
import { encodeExportResponse, encodeStatus, exportResponseJson, statusJson } from './proto.ts';

export interface HttpServerOptions {
  config: HttpConfig;
  endpoint: Endpoint;
  tls: ServerTls | undefined;
  ingest: Ingest;
  budget: ByteBudget;
  metrics: OtlpMetrics;
  logger: Logger;
  shutdownTimeoutMs: number;
}

const CONTENT_TYPES: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** gRPC status codes used in google.rpc.Status bodies. */
const CODE_INVALID_ARGUMENT = 3;
const CODE_RESOURCE_EXHAUSTED = 8;
const CODE_UNAVAILABLE = 14;

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export class OtlpHttpServer {
  private readonly options: HttpServerOptions;
  private readonly cors: Cors | undefined;
  private server: http.Server | undefined;
  private stopping = false;
  address: string | undefined;

  constructor(options: HttpServerOptions) {
    this.options = options;
    const cors = options.config.cors;
    this.cors = cors && cors.allowed_origins.length > 0 ? new Cors(cors) : undefined;
  }

  async start(): Promise<string> {
    const { endpoint, tls } = this.options;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const server = tls ? https.createServer(tls.serverOptions(), handler) : http.createServer(handler);
    tls?.attach(server as https.Server);
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (declaredTooLarge(req, this.options.config.max_request_size) && this.isLogsPost(req)) {
        // Refuse before the client sends the body.
        void this.handle(req, res);
        return;
      }
      res.writeContinue();
      void this.handle(req, res);
    });
    server.on('tlsClientError', (error: Error) => {
      this.options.logger.debug('otlp http: TLS handshake refused', { error });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint.port, endpoint.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.error('otlp http: server error', { error }));
    this.server = server;
    const a = server.address() as AddressInfo;
    this.address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    return this.address;
  }

  private isLogsPost(req: IncomingMessage): boolean {
    return req.method === 'POST' && pathOf(req.url) === this.options.config.logs_url_path;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { config, metrics } = this.options;
    const started = process.hrtime.bigint();
    metrics.begin('http');
    let outcome: RequestOutcome = 'unsupported';
    let wireBytes: number | undefined;
    const hold = new BudgetHold(this.options.budget);
    try {
      if (this.stopping) res.setHeader('Connection', 'close');
      if (pathOf(req.url) !== config.logs_url_path) {
        sendText(res, 404, 'not found: OTLP logs are POSTed to ' + config.logs_url_path);
        return;
      }
      if (this.cors?.apply(req, res)) {
        outcome = 'success';
        return;
      }
      if (req.method !== 'POST') {
        res.setHeader('Allow', this.cors ? 'POST, OPTIONS' : 'POST');
        sendText(res, 405, 'method not allowed: use POST');
        return;
      }
      const encoding = encodingOf(req.headers['content-type']);
      if (!encoding) {
        sendText(res, 415, 'unsupported Content-Type: use application/x-protobuf or application/json');
        return;
      }
      try {
        if (this.stopping) {
          outcome = 'unavailable';
          this.sendResult(res, encoding, { kind: 'unavailable', message: 'the agent is shutting down; retry later', retryAfterMs: 1000 });
          return;
        }
        const decompressor = decompressorFor(req.headers['content-encoding'] as string | undefined);
        let body = await readBody(req, config.max_request_size, hold);
        wireBytes = body.length;
        if (decompressor) body = await decompress(body, decompressor, config.max_request_size, hold);
        const abort = new AbortController();
        const onClose = (): void => {
          if (!res.writableFinished) abort.abort();
        };
        res.once('close', onClose);
        const result = await this.options.ingest.handle(body, encoding, 'http', abort.signal);
        res.off('close', onClose);
        outcome = outcomeOf(result);
        this.sendResult(res, encoding, result);
      } catch (error) {
        outcome = this.sendError(res, encoding, error);
      }
    } catch (error) {
      // Never let one request take the server down.
      this.options.logger.warn('otlp http: request failed unexpectedly', { error: error as Error });
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    } finally {
      hold.release();
      metrics.end('http', outcome, started, wireBytes);
    }
  }

  private sendResult(res: ServerResponse, encoding: Encoding, result: ExportResult): void {
    const json = encoding === 'json';
    switch (result.kind) {
      case 'ok':
        send(res, 200, encoding, json ? exportResponseJson(result.rejected, result.errorMessage) : encodeExportResponse(result.rejected, result.errorMessage));
        return;
      case 'invalid':
        send(res, 400, encoding, json ? statusJson(CODE_INVALID_ARGUMENT, result.message) : encodeStatus(CODE_INVALID_ARGUMENT, result.message));
        return;
      case 'too_large':
        send(res, 413, encoding, json ? statusJson(CODE_RESOURCE_EXHAUSTED, result.message) : encodeStatus(CODE_RESOURCE_EXHAUSTED, result.message));
        return;
      case 'unavailable':
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
        send(res, 503, encoding, json
          ? statusJson(CODE_UNAVAILABLE, result.message, result.retryAfterMs)
          : encodeStatus(CODE_UNAVAILABLE, result.message, result.retryAfterMs));
        return;
    }
  }

  /** Answers a failure that happened before the records reached the pipeline. */
  private sendError(res: ServerResponse, encoding: Encoding, error: unknown): RequestOutcome {
    const json = encoding === 'json';
    if (error instanceof BodyAborted) {
      res.destroy();
      return 'aborted';
    }
    if (error instanceof OtlpUnsupportedMediaError) {
      sendText(res, 415, error.message);
      return 'unsupported';
    }
    if (error instanceof OtlpRequestTooLargeError) {
      // Do not read the rest: with `Connection: close` Node closes the socket once the
      // answer is written, dropping whatever of the body is still on its way.
      res.setHeader('Connection', 'close');
      send(res, 413, encoding, json ? statusJson(CODE_RESOURCE_EXHAUSTED, error.message) : encodeStatus(CODE_RESOURCE_EXHAUSTED, error.message));
      return 'too_large';
    }
    if (error instanceof BudgetExceeded) {
      res.setHeader('Connection', 'close');
      this.sendResult(res, encoding, { kind: 'unavailable', message: error.message, retryAfterMs: 1000 });
      return 'unavailable';
    }
    if (error instanceof OtlpInvalidRequestError) {
      this.sendResult(res, encoding, { kind: 'invalid', message: error.message });
      return 'invalid';
    }
    throw error;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server || this.stopping) return;
    this.stopping = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger.warn('otlp http: requests still in flight at shutdown_timeout; closing them', { timeout_ms: this.options.shutdownTimeoutMs });
        server.closeAllConnections();
      }, this.options.shutdownTimeoutMs);
      // Keep-alive connections whose request finishes become idle: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearTimeout(timer);
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
  }
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

function send(res: ServerResponse, status: number, encoding: Encoding, body: Buffer | string): void {
  res.writeHead(status, { 'Content-Type': CONTENT_TYPES[encoding], 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

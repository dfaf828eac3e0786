/**
 * OTLP/gRPC: `opentelemetry.proto.collector.logs.v1.LogsService/Export` on @grpc/grpc-js.
 *
 * The request is taken as raw bytes (identity deserializer) and decoded in the handler, so
 * a malformed message is answered INVALID_ARGUMENT with a message, as the OTLP spec asks
 * (a throwing deserializer would make grpc-js answer INTERNAL). Oversized messages are
 * refused by grpc-js itself (`grpc.max_receive_message_length`, checked after
 * decompression) with RESOURCE_EXHAUSTED. Throttling is UNAVAILABLE with a RetryInfo detail
 * in `grpc-status-details-bin`.
 *
 * Shutdown: new calls are refused UNAVAILABLE, the server sends GOAWAY and waits for calls
 * in flight up to `shutdown_timeout`, then closes what is left.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../core/logger.ts';
import type { ServerTls, TlsServerConfig } from '../../core/tls.ts';
import type { ByteBudget } from './byte-budget.ts';
import type { Endpoint, GrpcConfig } from './config.ts';
import { ReloadingServerCredentials } from './grpc-credentials.ts';
import { outcomeOf, type ExportResult, type Ingest } from './ingest.ts';
import type { OtlpMetrics } from './metrics.ts';
import { EXPORT_LOGS_PATH, encodeExportResponse, encodeStatus } from './proto.ts';

export interface GrpcServerOptions {
  config: GrpcConfig;
  endpoint: Endpoint;
  tls: ServerTls | undefined;
  ingest: Ingest;
  budget: ByteBudget;
  metrics: OtlpMetrics;
  logger: Logger;
  shutdownTimeoutMs: number;
}

const identity = (b: Buffer): Buffer => b;

const SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: EXPORT_LOGS_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export class OtlpGrpcServer {
  private readonly options: GrpcServerOptions;
  private server: grpc.Server | undefined;
  private stopping = false;
  /** `host:port` actually bound (the port is known after start when 0 was asked). */
  address: string | undefined;

  constructor(options: GrpcServerOptions) {
    this.options = options;
  }

  async start(): Promise<string> {
    const { config, endpoint, tls } = this.options;
    const serverOptions: grpc.ServerOptions = {
      'grpc.max_receive_message_length': config.max_request_size,
      ...(config.max_concurrent_streams > 0 ? { 'grpc.max_concurrent_streams': config.max_concurrent_streams } : {}),
    };
    const server = new grpc.Server(serverOptions);
    server.addService(SERVICE, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => void this.safeExport(call, callback) });
    const credentials = tls ? new ReloadingServerCredentials(tls, config.tls as TlsServerConfig) : grpc.ServerCredentials.createInsecure();
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${endpoint.port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    this.server = server;
    this.address = `${host}:${port}`;
    return this.address;
  }

  private async export(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): Promise<void> {
    const { ingest, budget, metrics } = this.options;
    const started = process.hrtime.bigint();
    const body = call.request;
    metrics.begin('grpc');
    let result: ExportResult;
    if (this.stopping) {
      result = { kind: 'unavailable', message: 'the agent is shutting down; retry later', retryAfterMs: 1000 };
    } else if (!budget.tryTake(body.length)) {
      result = { kind: 'unavailable', message: 'the agent holds too many requests; retry later', retryAfterMs: 1000 };
    } else {
      const abort = new AbortController();
      const onCancel = (): void => abort.abort();
      call.once('cancelled', onCancel);
      try {
        result = await ingest.handle(body, 'protobuf', 'grpc', abort.signal);
      } finally {
        budget.give(body.length);
        call.removeListener('cancelled', onCancel);
      }
    }
    metrics.end('grpc', outcomeOf(result), started, body.length);
    respond(callback, result);
  }

  /** Never lets a failure escape as an unhandled rejection (it would stop the process). */
  private async safeExport(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): Promise<void> {
    try {
      await this.export(call, callback);
    } catch (error) {
      this.options.logger.warn('otlp grpc: request failed unexpectedly', { error: error as Error });
      try {
        callback({ code: grpc.status.INTERNAL, details: 'internal error' });
      } catch {
        // The call is already answered or gone.
      }
    }
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server || this.stopping) return;
    this.stopping = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger.warn('otlp grpc: calls still in flight at shutdown_timeout; closing them', { timeout_ms: this.options.shutdownTimeoutMs });
        server.forceShutdown();
        resolve();
      }, this.options.shutdownTimeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function respond(callback: grpc.sendUnaryData<Buffer>, result: ExportResult): void {
  switch (result.kind) {
    case 'ok':
      callback(null, encodeExportResponse(result.rejected, result.errorMessage));
      return;
    case 'invalid':
      callback({ code: grpc.status.INVALID_ARGUMENT, details: result.message });
      return;
    case 'too_large':
      callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: result.message });
      return;
    case 'unavailable': {
      const metadata = new grpc.Metadata();
      metadata.set('grpc-status-details-bin', encodeStatus(grpc.status.UNAVAILABLE, result.message, result.retryAfterMs));
      callback({ code: grpc.status.UNAVAILABLE, details: result.message, metadata });
      return;
    }
  }
}

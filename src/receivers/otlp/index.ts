/**
 * `otlp` receiver: a faithful OTLP/logs server, over gRPC (`protocols.grpc`, default
 * 127.0.0.1:4317) and HTTP (`protocols.http`, default 127.0.0.1:4318), each enabled by
 * naming it, each with optional TLS / mTLS whose certificates are re-read when they change.
 *
 * Lifecycle: `start` loads TLS material and binds the enabled listeners (failing start if a
 * port is taken or a certificate does not load); `shutdown` stops accepting, lets requests
 * in flight finish up to `shutdown_timeout`, and is idempotent.
 *
 * Docs: docs/receivers/otlp.md. Pieces: config.ts (schema, defaults), ingest.ts (decode,
 * hand to the pipeline, classify the answer), decode-protobuf.ts / decode-json.ts (the
 * mapping), grpc-server.ts and http-server.ts (the transports).
 */
import type { CreateContext, Receiver, ReceiverFactory, ReceiverHost } from '../../core/component.ts';
import { ServerTls, type TlsServerConfig } from '../../core/tls.ts';
import { ByteBudget } from './byte-budget.ts';
import { configSchema, parseEndpoint, RECEIVER_DEFAULTS, resolveProtocols, validateConfig, type OtlpReceiverConfig } from './config.ts';
import { OtlpGrpcServer } from './grpc-server.ts';
import { OtlpHttpServer } from './http-server.ts';
import { Ingest } from './ingest.ts';
import { OtlpMetrics } from './metrics.ts';
import { otlpTypes } from './proto.ts';

export class OtlpReceiver implements Receiver {
  private readonly config: OtlpReceiverConfig;
  private readonly ctx: CreateContext;
  private grpc: OtlpGrpcServer | undefined;
  private http: OtlpHttpServer | undefined;
  private readonly tls: ServerTls[] = [];
  private stopped: Promise<void> | undefined;

  constructor(config: OtlpReceiverConfig, ctx: CreateContext) {
    this.config = config;
    this.ctx = ctx;
  }

  /** Bound addresses (`host:port`), once started; tests and logs use them. */
  get addresses(): { grpc?: string; http?: string } {
    return { ...(this.grpc?.address ? { grpc: this.grpc.address } : {}), ...(this.http?.address ? { http: this.http.address } : {}) };
  }

  async start(host: ReceiverHost): Promise<void> {
    const { config, ctx } = this;
    otlpTypes(); // load the vendored .proto files now: a broken install fails start, not a request
    const protocols = resolveProtocols(config);
    const metrics = new OtlpMetrics(ctx.telemetry, ctx.id);
    const ingest = new Ingest({
      consumer: host.consumer,
      metrics,
      logger: ctx.logger,
      admissionTimeoutMs: config.admission_timeout,
      maxDepth: config.max_nesting_depth,
      maxRecords: config.max_records_per_request,
    });
    const budget = new ByteBudget(config.max_inflight_bytes);
    const common = { ingest, budget, metrics, logger: ctx.logger, shutdownTimeoutMs: config.shutdown_timeout };
    const loadTls = async (tlsConfig: TlsServerConfig | undefined): Promise<ServerTls | undefined> => {
      if (!tlsConfig) return undefined;
      const tls = await ServerTls.load(tlsConfig, ctx);
      this.tls.push(tls);
      return tls;
    };
    try {
      if (protocols.grpc) {
        const p = protocols.grpc;
        this.grpc = new OtlpGrpcServer({ ...common, config: p, endpoint: parseEndpoint(p.endpoint)!, tls: await loadTls(p.tls) });
        const address = await this.grpc.start();
        ctx.logger.info('otlp receiver listening', { transport: 'grpc', endpoint: address, tls: Boolean(p.tls), mtls: Boolean(p.tls?.client_ca_file) });
      }
      if (protocols.http) {
        const p = protocols.http;
        this.http = new OtlpHttpServer({ ...common, config: p, endpoint: parseEndpoint(p.endpoint)!, tls: await loadTls(p.tls) });
        const address = await this.http.start();
        ctx.logger.info('otlp receiver listening', { transport: 'http', endpoint: address, path: p.logs_url_path, tls: Boolean(p.tls), mtls: Boolean(p.tls?.client_ca_file) });
      }
    } catch (error) {
      // The agent only shuts down components that started: release what this one holds.
      await this.shutdown();
      throw error;
    }
  }

  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all([this.grpc?.shutdown(), this.http?.shutdown()]);
      for (const tls of this.tls) tls.close();
    })();
    return this.stopped;
  }
}

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  configSchema,
  defaults: () => structuredClone(RECEIVER_DEFAULTS),
  validate: validateConfig,
  create: (config, ctx) => new OtlpReceiver(config, ctx),
};

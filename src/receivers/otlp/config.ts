/**
 * The `otlp` receiver's config: schema, defaults and checks.
 *
 * As in the OpenTelemetry Collector, a protocol is enabled by naming it under `protocols`
 * (`grpc:` with no value is enough) and its settings default per protocol; so protocol
 * defaults are applied here (`resolveProtocols`) rather than merged in by the loader, which
 * would enable both protocols always.
 */
import { existsSync } from 'node:fs';
import type { ConfigIssue, JsonSchema, ValidateContext } from '../../core/component.ts';
import type { TlsServerConfig } from '../../core/tls.ts';
import { duration, int, object, size, str, strList, tlsServerSchema } from '../../config/schemas.ts';

export interface GrpcConfig {
  endpoint: string;
  tls?: TlsServerConfig;
  max_request_size: number;
  max_concurrent_streams: number;
}

export interface CorsConfig {
  allowed_origins: string[];
  allowed_headers: string[];
  max_age: number;
}

export interface HttpConfig {
  endpoint: string;
  tls?: TlsServerConfig;
  max_request_size: number;
  logs_url_path: string;
  cors?: CorsConfig;
}

export interface OtlpReceiverConfig {
  protocols: {
    grpc?: Partial<GrpcConfig> | null;
    http?: Partial<HttpConfig> | null;
  };
  admission_timeout: number;
  max_inflight_bytes: number;
  max_nesting_depth: number;
  max_records_per_request: number;
  shutdown_timeout: number;
}

/** Per-protocol defaults (sizes in bytes). The Collector's: 4 MiB gRPC messages, 20 MiB HTTP bodies. */
export const GRPC_DEFAULTS: GrpcConfig = {
  endpoint: '127.0.0.1:4317',
  max_request_size: 4 * 1024 * 1024,
  max_concurrent_streams: 0,
};
export const HTTP_DEFAULTS: HttpConfig = {
  endpoint: '127.0.0.1:4318',
  max_request_size: 20 * 1024 * 1024,
  logs_url_path: '/v1/logs',
};

export const RECEIVER_DEFAULTS = {
  protocols: {},
  admission_timeout: '5s',
  max_inflight_bytes: '64MiB',
  max_nesting_depth: 100,
  max_records_per_request: 100_000,
  shutdown_timeout: '10s',
};

/** A protocol section may be empty (`grpc:`), which YAML reads as null: enabled with defaults. */
function protocolSchema(properties: Record<string, JsonSchema>): JsonSchema {
  return { ...object(properties), type: ['object', 'null'] };
}

export const configSchema: JsonSchema = object({
  protocols: object({
    grpc: protocolSchema({
      endpoint: str('host:port to listen on'),
      tls: tlsServerSchema,
      max_request_size: size('largest request message accepted (after decompression)'),
      max_concurrent_streams: int(0, 'concurrent calls per connection; 0 leaves the gRPC default (unlimited)'),
    }),
    http: protocolSchema({
      endpoint: str('host:port to listen on'),
      tls: tlsServerSchema,
      max_request_size: size('largest request body accepted, compressed and decompressed'),
      logs_url_path: str('path that takes POSTed logs'),
      cors: object({
        allowed_origins: strList('origins allowed to POST from a browser; "*" wildcards allowed'),
        allowed_headers: strList('request headers allowed besides the CORS-safelisted ones'),
        max_age: int(0, 'seconds a browser may cache the preflight answer; 0 sends none'),
      }),
    }),
  }),
  admission_timeout: duration('how long a request may wait for room in the pipeline before it is answered UNAVAILABLE / 503'),
  max_inflight_bytes: size('request bytes held at once across both protocols; beyond it requests are answered UNAVAILABLE / 503 at once'),
  max_nesting_depth: int(1, 'array and map nesting allowed in one value; deeper records are refused'),
  max_records_per_request: int(1, 'log records one request may carry; more is answered RESOURCE_EXHAUSTED / 413'),
  shutdown_timeout: duration('how long shutdown waits for requests in flight'),
});

/** The enabled protocols with their defaults applied. */
export function resolveProtocols(config: OtlpReceiverConfig): { grpc?: GrpcConfig; http?: HttpConfig } {
  const out: { grpc?: GrpcConfig; http?: HttpConfig } = {};
  const { grpc, http } = config.protocols;
  if (grpc !== undefined) out.grpc = { ...GRPC_DEFAULTS, ...stripUndefined(grpc ?? {}) };
  if (http !== undefined) {
    out.http = { ...HTTP_DEFAULTS, ...stripUndefined(http ?? {}) };
    const cors = http?.cors;
    if (cors) out.http.cors = { allowed_origins: cors.allowed_origins ?? [], allowed_headers: cors.allowed_headers ?? [], max_age: cors.max_age ?? 0 };
  }
  return out;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function validateConfig(config: OtlpReceiverConfig, ctx: ValidateContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const protocols = resolveProtocols(config);
  if (!protocols.grpc && !protocols.http) {
    issues.push({ path: ['protocols'], message: 'enable at least one protocol: grpc or http (e.g. `protocols: { grpc: {}, http: {} }`)' });
    return issues;
  }
  const endpoints: { name: 'grpc' | 'http'; endpoint: Endpoint }[] = [];
  for (const name of ['grpc', 'http'] as const) {
    const p = protocols[name];
    if (!p) continue;
    const endpoint = parseEndpoint(p.endpoint);
    if (!endpoint) issues.push({ path: ['protocols', name, 'endpoint'], message: `"${p.endpoint}" is not host:port` });
    else endpoints.push({ name, endpoint });
    if (p.max_request_size < 1) issues.push({ path: ['protocols', name, 'max_request_size'], message: 'must be at least 1 byte' });
    if (p.tls) {
      for (const key of ['cert_file', 'key_file', 'ca_file', 'client_ca_file'] as const) {
        const file = p.tls[key];
        if (file && !existsSync(ctx.resolvePath(file))) issues.push({ path: ['protocols', name, 'tls', key], message: `file not found: ${file}` });
      }
    }
  }
  const [a, b] = endpoints;
  if (a && b && a.endpoint.port !== 0 && a.endpoint.port === b.endpoint.port && a.endpoint.host === b.endpoint.host) {
    issues.push({ path: ['protocols', 'http', 'endpoint'], message: `grpc and http cannot both listen on ${protocols.http!.endpoint}` });
  }
  const path = protocols.http?.logs_url_path;
  if (path !== undefined && !path.startsWith('/')) issues.push({ path: ['protocols', 'http', 'logs_url_path'], message: 'must start with /' });
  return issues;
}

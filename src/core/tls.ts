/**
 * TLS for receivers (servers) and exporters (clients), from the config's common `tls` block.
 *
 * Certificates are re-read when their files change, without a restart: every
 * `reload_interval` the files are read again and compared byte for byte (polling sees
 * Kubernetes secret updates, which swap a symlink and never touch the old file). A new set
 * that does not load (a half-written rotation, a key that does not match) is refused with a
 * warning and the old one stays in use; the next poll tries again. Connections in flight
 * keep the context they were made with.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext, type ConnectionOptions, type SecureContext, type Server, type TlsOptions } from 'node:tls';
import type { Logger } from './logger.ts';

type TlsVersion = '1.2' | '1.3';

export interface TlsServerConfig {
  cert_file: string;
  key_file: string;
  ca_file?: string;
  client_ca_file?: string;
  min_version?: TlsVersion;
  reload_interval?: number;
}

export interface TlsClientConfig {
  insecure?: boolean;
  insecure_skip_verify?: boolean;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  server_name?: string;
  min_version?: TlsVersion;
  reload_interval?: number;
}

export interface TlsContext {
  resolvePath(path: string): string;
  logger: Logger;
}

interface Material {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
  clientCa?: Buffer;
}

const DEFAULT_RELOAD_MS = 5000;

function minVersion(v: TlsVersion | undefined): 'TLSv1.2' | 'TLSv1.3' {
  return v === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
}

/** Reads the configured files; a missing file is an error naming the setting, never its content. */
async function readMaterial(files: Record<keyof Material, string | undefined>, ctx: TlsContext): Promise<Material> {
  const out: Material = {};
  for (const [k, path] of Object.entries(files) as [keyof Material, string | undefined][]) {
    if (!path) continue;
    try {
      out[k] = await readFile(ctx.resolvePath(path));
    } catch (e) {
      throw new Error(`tls: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return out;
}

function sameMaterial(a: Material, b: Material): boolean {
  const eq = (x?: Buffer, y?: Buffer): boolean => (x === undefined ? y === undefined : y !== undefined && x.equals(y));
  return eq(a.cert, b.cert) && eq(a.key, b.key) && eq(a.ca, b.ca) && eq(a.clientCa, b.clientCa);
}

/** Polls the files and calls `apply` with new material when it changed. */
class Watcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: (() => void)[] = [];
  private checking = false;
  private readonly files: Record<keyof Material, string | undefined>;
  private readonly ctx: TlsContext;
  private material: Material;
  private readonly apply: (m: Material) => void;

  constructor(files: Record<keyof Material, string | undefined>, ctx: TlsContext, material: Material, apply: (m: Material) => void, intervalMs: number) {
    this.files = files;
    this.ctx = ctx;
    this.material = material;
    this.apply = apply;
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  get current(): Material {
    return this.material;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Reads the files now; resolves true when new material was taken into use. */
  async check(): Promise<boolean> {
    if (this.checking) return false;
    this.checking = true;
    try {
      const next = await readMaterial(this.files, this.ctx);
      if (sameMaterial(next, this.material)) return false;
      this.apply(next);
      this.material = next;
      this.ctx.logger.info('tls: certificates reloaded');
      for (const l of this.listeners) l();
      return true;
    } catch (e) {
      this.ctx.logger.warn('tls: certificate files changed but do not load; keeping the previous ones', { error: e as Error });
      return false;
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

export class ServerTls {
  private context: SecureContext;
  private readonly watcher: Watcher;
  private readonly config: TlsServerConfig;
  private readonly servers = new Set<Server>();

  private constructor(config: TlsServerConfig, ctx: TlsContext, material: Material) {
    this.config = config;
    this.context = ServerTls.buildContext(config, material);
    this.watcher = new Watcher(ServerTls.files(config), ctx, material, (m) => {
      this.context = ServerTls.buildContext(config, m);
      for (const s of this.servers) s.setSecureContext(this.contextOptions(m));
    }, config.reload_interval ?? DEFAULT_RELOAD_MS);
  }

  static async load(config: TlsServerConfig, ctx: TlsContext): Promise<ServerTls> {
    const material = await readMaterial(ServerTls.files(config), ctx);
    return new ServerTls(config, ctx, material);
  }

  private static files(config: TlsServerConfig): Record<keyof Material, string | undefined> {
    return { cert: config.cert_file, key: config.key_file, ca: config.ca_file, clientCa: config.client_ca_file };
  }

  private static buildContext(config: TlsServerConfig, m: Material): SecureContext {
    try {
      return createSecureContext({ cert: m.cert, key: m.key, ca: trustFor(m), minVersion: minVersion(config.min_version) });
    } catch (e) {
      throw new Error(`tls: certificate and key do not load: ${(e as Error).message}`);
    }
  }

  private contextOptions(m: Material): TlsOptions {
    return { cert: m.cert, key: m.key, ca: trustFor(m), minVersion: minVersion(this.config.min_version) };
  }

  get requiresClientCert(): boolean {
    return Boolean(this.config.client_ca_file);
  }

  /** Options for tls/https/http2 `createSecureServer`; pass the server to `attach` afterwards. */
  serverOptions(): TlsOptions {
    const mtls = this.requiresClientCert;
    return { ...this.contextOptions(this.watcher.current), requestCert: mtls, rejectUnauthorized: mtls };
  }

  /** Keeps a server's default context current across reloads. */
  attach(server: Server): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  secureContext(): SecureContext {
    return this.context;
  }

  current(): { cert: Buffer; key: Buffer; clientCa?: Buffer; ca?: Buffer } {
    const m = this.watcher.current;
    return { cert: m.cert!, key: m.key!, ...(m.clientCa ? { clientCa: m.clientCa } : {}), ...(m.ca ? { ca: m.ca } : {}) };
  }

  onChange(listener: () => void): void {
    this.watcher.onChange(listener);
  }

  /** Re-reads the files now (tests, SIGHUP). */
  reload(): Promise<boolean> {
    return this.watcher.check();
  }

  close(): void {
    this.watcher.close();
    this.servers.clear();
  }
}

/** Client certificates are checked against client_ca_file; ca_file adds to it. */
function trustFor(m: Material): Buffer[] | undefined {
  const list = [m.clientCa, m.ca].filter((b): b is Buffer => b !== undefined);
  return list.length > 0 ? list : undefined;
}

export class ClientTls {
  private context: SecureContext;
  private readonly watcher: Watcher;
  private readonly config: TlsClientConfig;

  private constructor(config: TlsClientConfig, ctx: TlsContext, material: Material) {
    this.config = config;
    this.context = ClientTls.buildContext(config, material);
    this.watcher = new Watcher(ClientTls.files(config), ctx, material, (m) => {
      this.context = ClientTls.buildContext(config, m);
    }, config.reload_interval ?? DEFAULT_RELOAD_MS);
  }

  /** undefined when `insecure: true` (plain TCP). */
  static async load(config: TlsClientConfig | undefined, ctx: TlsContext): Promise<ClientTls | undefined> {
    const c = config ?? {};
    if (c.insecure) return undefined;
    if (Boolean(c.cert_file) !== Boolean(c.key_file)) throw new Error('tls: cert_file and key_file must be set together');
    const material = await readMaterial(ClientTls.files(c), ctx);
    return new ClientTls(c, ctx, material);
  }

  private static files(config: TlsClientConfig): Record<keyof Material, string | undefined> {
    return { cert: config.cert_file, key: config.key_file, ca: config.ca_file, clientCa: undefined };
  }

  private static buildContext(config: TlsClientConfig, m: Material): SecureContext {
    try {
      return createSecureContext({ cert: m.cert, key: m.key, ca: m.ca, minVersion: minVersion(config.min_version) });
    } catch (e) {
      throw new Error(`tls: client certificate and key do not load: ${(e as Error).message}`);
    }
  }

  /** Options for one new connection, with the current certificates. */
  connectOptions(): ConnectionOptions {
    return {
      secureContext: this.context,
      rejectUnauthorized: !this.config.insecure_skip_verify,
      ...(this.config.server_name ? { servername: this.config.server_name } : {}),
      minVersion: minVersion(this.config.min_version),
    };
  }

  get serverName(): string | undefined {
    return this.config.server_name;
  }

  current(): { cert?: Buffer; key?: Buffer; ca?: Buffer } {
    const m = this.watcher.current;
    return { ...(m.cert ? { cert: m.cert } : {}), ...(m.key ? { key: m.key } : {}), ...(m.ca ? { ca: m.ca } : {}) };
  }

  onChange(listener: () => void): void {
    this.watcher.onChange(listener);
  }

  reload(): Promise<boolean> {
    return this.watcher.check();
  }

  close(): void {
    this.watcher.close();
  }
}

/**
 * gRPC server credentials that follow the shared ServerTls: grpc-js builds its TLS server
 * from them, and when ServerTls sees new certificate files we push the new material, which
 * grpc-js applies with `setSecureContext`: new handshakes use it, connections in flight keep
 * theirs. With `client_ca_file`, clients must present a certificate it signed, checked at
 * the handshake (`requestCert` + `rejectUnauthorized`).
 *
 * Why a subclass and not grpc-js's certificate-provider credentials: those cannot carry
 * `min_version`. `ServerCredentials` is grpc-js's public abstract base; its protected
 * `updateSecureContextOptions` exists for exactly this.
 */
import { ServerCredentials } from '@grpc/grpc-js';
import type { SecureContextOptions } from 'node:tls';
import type { ServerTls, TlsServerConfig } from '../../core/tls.ts';

export class ReloadingServerCredentials extends ServerCredentials {
  constructor(tls: ServerTls, config: TlsServerConfig) {
    const mtls = Boolean(config.client_ca_file);
    const minVersion = config.min_version === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
    const contextOptions = (): SecureContextOptions => {
      const m = tls.current();
      const ca = [m.clientCa, m.ca].filter((b): b is Buffer => b !== undefined);
      return { cert: m.cert, key: m.key, ...(ca.length > 0 ? { ca } : {}), minVersion };
    };
    super({ requestCert: mtls, rejectUnauthorized: mtls, minVersion }, contextOptions());
    tls.onChange(() => this.updateSecureContextOptions(contextOptions()));
  }

  override _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

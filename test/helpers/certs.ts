/** A throwaway PKI made with the openssl CLI: CA, server and client certs, and a rogue CA. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from a CA the server does not trust. */
  rogueCaCert: string;
  rogueClientCert: string;
  rogueClientKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Issues a leaf certificate signed by `ca`, valid for localhost and 127.0.0.1. */
export function issue(dir: string, name: string, ca: { cert: string; key: string }, cn: string, days = 30): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', `/CN=${cn}`, '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', String(days), '-extfile', ext, '-out', cert], dir);
  return { cert, key };
}

export function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-days', '30', '-out', cert], dir);
  return { cert, key };
}

export function makePki(dir: string): Pki {
  const ca = makeCa(dir, 'ca');
  const server = issue(dir, 'server', ca, 'localhost');
  const client = issue(dir, 'client', ca, 'custody-client');
  const rogue = makeCa(dir, 'rogue-ca');
  const rogueClient = issue(dir, 'rogue-client', rogue, 'rogue-client');
  return {
    dir,
    caCert: ca.cert, caKey: ca.key,
    serverCert: server.cert, serverKey: server.key,
    clientCert: client.cert, clientKey: client.key,
    rogueCaCert: rogue.cert, rogueClientCert: rogueClient.cert, rogueClientKey: rogueClient.key,
  };
}

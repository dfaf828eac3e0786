import { describe, expect, it } from 'vitest';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ClientTls, ServerTls } from '../../src/core/tls.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { issue, makePki } from '../helpers/certs.ts';
import { tempDir } from '../helpers/agent.ts';

const ctx = { resolvePath: (p: string) => p, logger: silentLogger };

async function handshake(port: number, options: object): Promise<{ ok: boolean; peerCn?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ...options }, () => {
      // TLS 1.3 reports a refused client certificate after the handshake: wait for it.
      socket.once('data', () => {
        const cn = socket.getPeerCertificate().subject?.CN;
        socket.destroy();
        resolve({ ok: true, peerCn: Array.isArray(cn) ? cn[0] : cn });
      });
    });
    socket.once('error', (e) => resolve({ ok: false, error: e.message }));
    socket.once('close', () => resolve({ ok: false, error: 'closed' }));
  });
}

describe('tls', () => {
  it('enforces client certificates and reloads rotated certificates without a restart', async () => {
    const dir = await tempDir();
    const pki = makePki(dir);
    const serverCert = join(dir, 'live-server.crt');
    const serverKey = join(dir, 'live-server.key');
    copyFileSync(pki.serverCert, serverCert);
    copyFileSync(pki.serverKey, serverKey);
    const serverTls = await ServerTls.load({ cert_file: serverCert, key_file: serverKey, client_ca_file: pki.caCert, reload_interval: 60_000 }, ctx);
    const server = createServer(serverTls.serverOptions(), (s) => s.end('hi'));
    serverTls.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;

    const client = await ClientTls.load({ ca_file: pki.caCert, cert_file: pki.clientCert, key_file: pki.clientKey, server_name: 'localhost' }, ctx);
    const good = await handshake(port, client!.connectOptions());
    expect(good).toMatchObject({ ok: true, peerCn: 'localhost' });

    const noCert = await ClientTls.load({ ca_file: pki.caCert, server_name: 'localhost' }, ctx);
    expect((await handshake(port, noCert!.connectOptions())).ok).toBe(false);

    const rogue = await ClientTls.load({ ca_file: pki.caCert, cert_file: pki.rogueClientCert, key_file: pki.rogueClientKey, server_name: 'localhost' }, ctx);
    expect((await handshake(port, rogue!.connectOptions())).ok).toBe(false);

    // Rotate the server certificate on disk: new connections see the new one.
    const rotated = issue(dir, 'server2', { cert: pki.caCert, key: pki.caKey }, 'rotated.localhost');
    copyFileSync(rotated.key, serverKey);
    copyFileSync(rotated.cert, serverCert);
    expect(await serverTls.reload()).toBe(true);
    const after = await handshake(port, { ...client!.connectOptions(), checkServerIdentity: () => undefined });
    expect(after).toMatchObject({ ok: true, peerCn: 'rotated.localhost' });

    serverTls.close();
    client!.close(); noCert!.close(); rogue!.close();
    server.close();
  });

  it('keeps the old certificates when the new files do not load', async () => {
    const dir = await tempDir();
    const pki = makePki(dir);
    const key = join(dir, 'k.pem');
    copyFileSync(pki.serverKey, key);
    const serverTls = await ServerTls.load({ cert_file: pki.serverCert, key_file: key, reload_interval: 60_000 }, ctx);
    copyFileSync(pki.clientKey, key); // a key that does not match the certificate
    expect(await serverTls.reload()).toBe(false);
    expect(serverTls.current().key.equals(readFileSync(pki.serverKey))).toBe(true);
    serverTls.close();
  });

  it('is plain TCP only when insecure is set', async () => {
    expect(await ClientTls.load({ insecure: true }, ctx)).toBeUndefined();
    await expect(ClientTls.load({ cert_file: '/nonexistent.pem', key_file: '/nonexistent.key' }, ctx)).rejects.toThrow(/cannot read \/nonexistent.pem: ENOENT/);
  });
});

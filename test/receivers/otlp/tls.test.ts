/**
 * mTLS on both transports: clients without a certificate, or with one from another CA, are
 * refused at the handshake; `min_version` holds; certificates are re-read when their files
 * change, without a restart and without dropping connections in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Agent as UndiciAgent, Client, request } from 'undici';
import { eventually, grpcRawClient, issueServerCert, jsonRequest, makePki, startOtlpAgent, type OtlpAgent, type Pki } from './helpers.ts';
import { encodeRequest } from './random-otlp.ts';

let pki: Pki;
let agent: OtlpAgent;
let serverCert: string;
let serverKey: string;

beforeAll(async () => {
  pki = await makePki();
  // The receiver reads its own copies, so the reload test can replace them.
  serverCert = join(pki.dir, 'live.crt');
  serverKey = join(pki.dir, 'live.key');
  copyFileSync(pki.serverCert, serverCert);
  copyFileSync(pki.serverKey, serverKey);
  const tlsYaml = `{ cert_file: ${serverCert}, key_file: ${serverKey}, client_ca_file: ${pki.ca}, min_version: "1.3", reload_interval: 100ms }`;
  agent = await startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:0", tls: ${tlsYaml} }, http: { endpoint: "127.0.0.1:0", tls: ${tlsYaml} } } }`);
});

afterAll(async () => {
  await agent?.stop();
});

const body = (tag: string) => jsonRequest([{ body: { stringValue: tag } }]);

function httpsAgent(cert?: string, key?: string) {
  return new UndiciAgent({ connect: { ca: readFileSync(pki.ca), ...(cert ? { cert: readFileSync(cert), key: readFileSync(key!) } : {}), servername: 'localhost' } });
}

async function httpPost(dispatcher: UndiciAgent | Client, tag: string): Promise<number> {
  const res = await request(`https://${agent.http}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(tag), dispatcher });
  await res.body.dump();
  return res.statusCode;
}

function grpcClient(cert?: string, key?: string) {
  const creds = grpc.credentials.createSsl(readFileSync(pki.ca), cert ? readFileSync(key!) : null, cert ? readFileSync(cert) : null);
  return grpcRawClient(agent.grpc, creds, { 'grpc.ssl_target_name_override': 'localhost' });
}

const grpcBody = (tag: string) => encodeRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: tag } }] }] }] });

/** SHA-256 fingerprint of the certificate a fresh handshake to `address` presents. */
function serverFingerprint(address: string, alpn?: string): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host, port, servername: 'localhost', ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey),
      ...(alpn ? { ALPNProtocols: [alpn] } : {}),
    }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('otlp receiver with mTLS', () => {
  it('accepts a client certificate signed by client_ca_file, over HTTP and gRPC', async () => {
    expect(await httpPost(httpsAgent(pki.clientCert, pki.clientKey), 'mtls-http-ok')).toBe(200);
    const rpc = grpcClient(pki.clientCert, pki.clientKey);
    expect((await rpc.call(grpcBody('mtls-grpc-ok'))).error).toBeUndefined();
    rpc.close();
    const bodies = (await agent.records()).map((r) => r.body);
    expect(bodies).toEqual(expect.arrayContaining(['mtls-http-ok', 'mtls-grpc-ok']));
  });

  it('refuses clients without a certificate and with one from another CA, on both transports', async () => {
    await expect(httpPost(httpsAgent(), 'no-cert')).rejects.toThrow();
    await expect(httpPost(httpsAgent(pki.otherClientCert, pki.otherClientKey), 'other-ca')).rejects.toThrow();
    for (const rpc of [grpcClient(), grpcClient(pki.otherClientCert, pki.otherClientKey)]) {
      const { error } = await rpc.call(grpcBody('refused'), 5000);
      expect(error?.code).toBe(grpc.status.UNAVAILABLE);
      rpc.close();
    }
    // The refusal is the handshake's: a raw TLS connection without a certificate is cut.
    await expect(new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: Number(agent.http.split(':')[1]), servername: 'localhost', ca: readFileSync(pki.ca) }, () => {
        socket.write('POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
      });
      socket.on('data', resolve);
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('closed')));
    })).rejects.toThrow(/certificate required|closed|ECONNRESET/);
    const bodies = (await agent.records()).map((r) => r.body);
    expect(bodies).not.toContain('no-cert');
    expect(bodies).not.toContain('other-ca');
    expect(bodies).not.toContain('refused');
  });

  it('refuses TLS versions below min_version', async () => {
    for (const address of [agent.http, agent.grpc]) {
      await expect(new Promise((resolve, reject) => {
        const socket = tls.connect({
          host: '127.0.0.1', port: Number(address.split(':')[1]), servername: 'localhost', maxVersion: 'TLSv1.2',
          ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey),
        }, () => resolve(socket.end()));
        socket.on('error', reject);
      })).rejects.toThrow(/protocol version|alert/i);
    }
  });

  it('re-reads changed certificates without a restart, and connections in flight keep working', async () => {
    const before = await serverFingerprint(agent.http);
    expect(await serverFingerprint(agent.grpc, 'h2')).toBe(before);

    // A keep-alive HTTP connection and a gRPC channel, both open across the rotation.
    let connects = 0;
    const client = new Client(`https://${agent.http}`, { connect: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), servername: 'localhost' }, keepAliveTimeout: 30_000 });
    client.on('connect', () => connects++);
    const rpc = grpcClient(pki.clientCert, pki.clientKey);
    expect(await httpPost(client, 'before-rotation')).toBe(200);
    expect((await rpc.call(grpcBody('before-rotation-grpc'))).error).toBeUndefined();

    // Rotate: a new server certificate from the same CA, swapped in by rename.
    const next = issueServerCert(pki, 'server2');
    copyFileSync(next.key, `${serverKey}.tmp`);
    copyFileSync(next.cert, `${serverCert}.tmp`);
    renameSync(`${serverKey}.tmp`, serverKey);
    renameSync(`${serverCert}.tmp`, serverCert);
    const after = new X509Certificate(readFileSync(next.cert)).fingerprint256;
    expect(after).not.toBe(before);

    await eventually(async () => (await serverFingerprint(agent.http)) === after, 10_000, 'HTTP listener to present the new certificate');
    await eventually(async () => (await serverFingerprint(agent.grpc, 'h2')) === after, 10_000, 'gRPC listener to present the new certificate');

    // The connections made before the rotation still carry requests.
    expect(await httpPost(client, 'after-rotation')).toBe(200);
    expect(connects).toBe(1);
    expect((await rpc.call(grpcBody('after-rotation-grpc'))).error).toBeUndefined();
    rpc.close();
    await client.close();
    // And new clients handshake against the new certificate.
    expect(await httpPost(httpsAgent(pki.clientCert, pki.clientKey), 'new-connection')).toBe(200);
    const bodies = (await agent.records()).map((r) => r.body);
    expect(bodies).toEqual(expect.arrayContaining(['before-rotation', 'after-rotation', 'before-rotation-grpc', 'after-rotation-grpc', 'new-connection']));
  });
});

/** Start and shutdown: a taken port fails start clearly and leaks nothing; shutdown is idempotent. */
import { describe, expect, it } from 'vitest';
import { connect, createServer } from 'node:net';
import type { LogsConsumer } from '../../../src/core/component.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { Telemetry } from '../../../src/core/telemetry.ts';
import { otlpReceiverFactory, type OtlpReceiver } from '../../../src/receivers/otlp/index.ts';
import { startOtlpAgent } from './helpers.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('otlp receiver lifecycle', () => {
  it('fails start when a port is taken, naming it, and releases the listener it had already bound', async () => {
    const first = await startOtlpAgent(`{ protocols: { http: { endpoint: "127.0.0.1:0" } } }`);
    const grpcPort = await freePort();
    await expect(startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:${grpcPort}" }, http: { endpoint: "${first.http}" } } }`))
      .rejects.toThrow(/otlp: failed to start: .*EADDRINUSE.*/);
    // The gRPC port the failed agent bound first is free again.
    const again = await startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:${grpcPort}" } } }`);
    expect(again.grpc).toBe(`127.0.0.1:${grpcPort}`);
    await again.stop();
    await first.stop();
  });

  it('fails start with a clear error when a certificate file cannot be read', async () => {
    const agent = startOtlpAgent(`{ protocols: { grpc: { endpoint: "127.0.0.1:0", tls: { cert_file: /dev/null/x.crt, key_file: /dev/null/x.key } } } }`);
    await expect(agent).rejects.toThrow(/cert_file.*file not found/);
  });

  it('shuts down idempotently and closes its ports (driven directly, without an agent)', async () => {
    const receiver = otlpReceiverFactory.create({
      protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } },
      admission_timeout: 1000, max_inflight_bytes: 1 << 20, max_nesting_depth: 10, max_records_per_request: 10, shutdown_timeout: 1000,
    }, {
      id: 'otlp', kind: 'receiver', logger: silentLogger, telemetry: new Telemetry(), dataDir: '/tmp', resolvePath: (p) => p,
      agent: { version: 'test', configSha256: '', configPath: '', hostname: 'h' },
    }) as OtlpReceiver;
    const consumer: LogsConsumer = { consume: async () => {}, saturated: false };
    await receiver.start({ consumer, reportFatal: () => {}, getExporter: () => undefined });
    const { grpc, http } = receiver.addresses;
    expect(grpc).toMatch(/^127\.0\.0\.1:\d+$/);
    await Promise.all([receiver.shutdown(), receiver.shutdown()]);
    await receiver.shutdown();
    for (const address of [grpc!, http!]) {
      await expect(new Promise((resolve, reject) => {
        const socket = connect(Number(address.split(':')[1]), '127.0.0.1', () => resolve(socket.end()));
        socket.on('error', reject);
      })).rejects.toThrow(/ECONNREFUSED/);
    }
  });
});

/** The otlp receiver's config: defaults, protocol enabling, and one named case per error. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfigText } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { resolveProtocols, type OtlpReceiverConfig } from '../../../src/receivers/otlp/config.ts';
import { tempDir, testRegistry } from '../../helpers/agent.ts';

async function load(receiver: string) {
  const dir = await tempDir();
  const yaml = `
receivers:
  otlp: ${receiver}
exporters: { file: { path: ${join(dir, 'out.jsonl')} } }
service:
  data_dir: ${dir}
  pipelines: { logs: { receivers: [otlp], exporters: [file] } }
`;
  const config = await loadConfigText(join(dir, 'custody.yaml'), yaml, { registry: testRegistry(), cwd: dir, env: {} });
  return config.receivers.get('otlp')!.config as OtlpReceiverConfig;
}

async function errorsOf(receiver: string): Promise<string[]> {
  try {
    await load(receiver);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('otlp receiver config', () => {
  it('enables a protocol named with no settings, on the Collector default endpoints', async () => {
    const both = resolveProtocols(await load('{ protocols: { grpc: , http: } }'));
    expect(both).toEqual({
      grpc: { endpoint: '127.0.0.1:4317', max_request_size: 4 * 1024 * 1024, max_concurrent_streams: 0 },
      http: { endpoint: '127.0.0.1:4318', max_request_size: 20 * 1024 * 1024, logs_url_path: '/v1/logs' },
    });
    const grpcOnly = resolveProtocols(await load('{ protocols: { grpc: {} } }'));
    expect(Object.keys(grpcOnly)).toEqual(['grpc']);
  });

  it('converts sizes and durations and keeps receiver-wide defaults', async () => {
    const config = await load('{ protocols: { http: { max_request_size: 1MiB, cors: { allowed_origins: ["https://*.example.com"] } } }, admission_timeout: 2s }');
    expect(config.admission_timeout).toBe(2000);
    expect(config.max_inflight_bytes).toBe(64 * 1024 * 1024);
    expect(config.max_nesting_depth).toBe(100);
    expect(config.max_records_per_request).toBe(100_000);
    expect(config.shutdown_timeout).toBe(10_000);
    expect(resolveProtocols(config).http).toEqual({
      endpoint: '127.0.0.1:4318', max_request_size: 1024 * 1024, logs_url_path: '/v1/logs',
      cors: { allowed_origins: ['https://*.example.com'], allowed_headers: [], max_age: 0 },
    });
  });

  const invalid: [string, string, RegExp][] = [
    ['no protocol', '{ protocols: {} }', /protocols: enable at least one protocol/],
    ['empty receiver', '', /enable at least one protocol/],
    ['unknown protocol', '{ protocols: { grpc: {}, thrift: {} } }', /unknown key "thrift"/],
    ['unknown grpc key', '{ protocols: { grpc: { port: 4317 } } }', /grpc\.port.*unknown key "port"/],
    ['endpoint without port', '{ protocols: { grpc: { endpoint: "localhost" } } }', /grpc\.endpoint.*"localhost" is not host:port/],
    ['port out of range', '{ protocols: { http: { endpoint: "127.0.0.1:70000" } } }', /is not host:port/],
    ['both on one port', '{ protocols: { grpc: { endpoint: "127.0.0.1:5000" }, http: { endpoint: "127.0.0.1:5000" } } }', /cannot both listen on 127\.0\.0\.1:5000/],
    ['bad size', '{ protocols: { http: { max_request_size: lots } } }', /max_request_size.*must be a size/],
    ['bad duration', '{ protocols: { http: {} }, admission_timeout: soon }', /admission_timeout.*must be a duration/],
    ['tls without key', '{ protocols: { grpc: { tls: { cert_file: /x.crt } } } }', /missing required key "key_file"/],
    ['missing certificate file', '{ protocols: { grpc: { tls: { cert_file: /nonexistent/x.crt, key_file: /nonexistent/x.key } } } }', /tls\.cert_file.*file not found/],
    ['path without slash', '{ protocols: { http: { logs_url_path: "v1/logs" } } }', /logs_url_path.*must start with \//],
    ['unknown cors key', '{ protocols: { http: { cors: { origins: [] } } } }', /unknown key "origins"/],
    ['zero nesting depth', '{ protocols: { http: {} }, max_nesting_depth: 0 }', /max_nesting_depth/],
  ];
  for (const [name, yaml, message] of invalid) {
    it(`refuses: ${name}`, async () => {
      const issues = await errorsOf(yaml);
      expect(issues.join('\n')).toMatch(message);
      expect(issues.every((i) => /receivers\.otlp/.test(i))).toBe(true);
    });
  }
});

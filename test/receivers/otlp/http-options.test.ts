/** OTLP/HTTP options: CORS for browser clients (off by default) and a custom logs path. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { wildcardMatch } from '../../../src/receivers/otlp/cors.ts';
import { jsonRequest, startOtlpAgent, type OtlpAgent } from './helpers.ts';

let withCors: OtlpAgent;
let plain: OtlpAgent;

beforeAll(async () => {
  withCors = await startOtlpAgent(`{ protocols: { http: { endpoint: "127.0.0.1:0", logs_url_path: /otlp/v1/logs, cors: { allowed_origins: ["https://app.example.com", "https://*.shop.example"], allowed_headers: [X-Tenant], max_age: 600 } } } }`);
  plain = await startOtlpAgent(`{ protocols: { http: { endpoint: "127.0.0.1:0" } } }`);
});

afterAll(async () => {
  await withCors?.stop();
  await plain?.stop();
});

async function call(agent: OtlpAgent, path: string, method: 'POST' | 'OPTIONS', headers: Record<string, string>) {
  const res = await request(`http://${agent.http}${path}`, { method, headers, ...(method === 'POST' ? { body: jsonRequest([{ body: { stringValue: 'cors' } }]) } : {}) });
  await res.body.dump();
  return res;
}

describe('otlp receiver HTTP options', () => {
  it('answers a CORS preflight from an allowed origin, with wildcards', async () => {
    for (const origin of ['https://app.example.com', 'https://eu.shop.example']) {
      const res = await call(withCors, '/otlp/v1/logs', 'OPTIONS', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-methods']).toBe('POST');
      expect(res.headers['access-control-allow-headers']).toBe('Content-Type, Content-Encoding, X-Tenant');
      expect(res.headers['access-control-max-age']).toBe('600');
    }
  });

  it('adds no CORS headers for other origins, and none at all when CORS is not configured', async () => {
    const other = await call(withCors, '/otlp/v1/logs', 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.statusCode).toBe(405);
    const post = await call(plain, '/v1/logs', 'POST', { origin: 'https://app.example.com', 'content-type': 'application/json' });
    expect(post.statusCode).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves POSTs from an allowed origin on the configured path only', async () => {
    const ok = await call(withCors, '/otlp/v1/logs', 'POST', { origin: 'https://app.example.com', 'content-type': 'application/json' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers.vary).toBe('Origin');
    const defaultPath = await call(withCors, '/v1/logs', 'POST', { 'content-type': 'application/json' });
    expect(defaultPath.statusCode).toBe(404);
    expect((await withCors.records()).map((r) => r.body)).toEqual(['cors']);
  });

  it('matches origin wildcards piece by piece', () => {
    const p = (pattern: string) => pattern.split('*');
    expect(wildcardMatch(p('https://*.example.com'), 'https://a.b.example.com')).toBe(true);
    expect(wildcardMatch(p('https://*.example.com'), 'https://example.com')).toBe(false);
    expect(wildcardMatch(p('https://*.example.com'), 'https://a.example.com.evil.net')).toBe(false);
    expect(wildcardMatch(p('https://*-*.example.com'), 'https://a-b.example.com')).toBe(true);
    expect(wildcardMatch(p('*'), 'anything')).toBe(true);
    expect(wildcardMatch(p('https://exact.example'), 'https://exact.example')).toBe(true);
  });
});

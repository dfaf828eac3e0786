/**
 * The OTLP bench's requests: realistic application logs (a ~150-byte message, five
 * attributes of mixed types, trace context) under one resource of six Kubernetes /
 * service attributes and one scope, encoded once per batch size with protobufjs from the
 * official .proto files.
 */
import { otlpTypes } from '../../src/receivers/otlp/proto.ts';

const ROUTES = ['/api/v1/orders/{id}', '/api/v1/users/{id}', '/api/v1/cart', '/healthz'];

export function requestObject(records: number): Record<string, unknown> {
  const base = 1_763_805_600_000_000_000n;
  const logRecords = Array.from({ length: records }, (_, i) => ({
    timeUnixNano: String(base + BigInt(i) * 1_000_000n),
    observedTimeUnixNano: String(base + BigInt(i) * 1_000_000n + 250_000n),
    severityNumber: i % 10 === 0 ? 13 : 9,
    severityText: i % 10 === 0 ? 'WARN' : 'INFO',
    body: { stringValue: `request ${i} handled: user u-${10000 + (i % 5000)} fetched order ord-${(i * 7919) % 100000} from 10.1.${i % 255}.${(i * 3) % 255} in ${i % 900}ms (cache ${i % 3 ? 'hit' : 'miss'})` },
    attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.route', value: { stringValue: ROUTES[i % ROUTES.length] } },
      { key: 'http.response.status_code', value: { intValue: i % 50 ? 200 : 503 } },
      { key: 'user.id', value: { stringValue: `u-${10000 + (i % 5000)}` } },
      { key: 'duration_ms', value: { doubleValue: (i % 900) + 0.25 } },
    ],
    traceId: Buffer.from((BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32), 'hex'),
    spanId: Buffer.from((BigInt(i + 1) * 0x7f4a7c15n).toString(16).padStart(16, '0').slice(-16), 'hex'),
    flags: 1,
  }));
  return {
    resourceLogs: [{
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'orders' } },
          { key: 'service.version', value: { stringValue: '2.14.1' } },
          { key: 'k8s.namespace.name', value: { stringValue: 'shop' } },
          { key: 'k8s.pod.name', value: { stringValue: 'orders-7d9f8c6b5-x2x9q' } },
          { key: 'k8s.container.name', value: { stringValue: 'orders' } },
          { key: 'host.name', value: { stringValue: 'node-a-17' } },
        ],
      },
      scopeLogs: [{ scope: { name: 'com.example.orders', version: '1.4.2' }, logRecords }],
    }],
  };
}

/** protobuf bytes of a request with `records` log records. */
export function requestBytes(records: number): Buffer {
  const { ExportLogsServiceRequest } = otlpTypes();
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(requestObject(records))).finish());
}

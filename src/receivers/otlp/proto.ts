/**
 * The OTLP and google.rpc message types, loaded with protobufjs from the official .proto
 * files vendored under ./proto (see ./proto/README.md for their origin). Used to encode
 * responses and error statuses, and as the reference codec the hand-written request decoder
 * is tested against.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

export interface OtlpTypes {
  root: protobuf.Root;
  ExportLogsServiceRequest: protobuf.Type;
  ExportLogsServiceResponse: protobuf.Type;
  Status: protobuf.Type;
  RetryInfo: protobuf.Type;
}

let loaded: OtlpTypes | undefined;

/** Loads (once) and returns the message types. Throws if the vendored files are missing. */
export function otlpTypes(): OtlpTypes {
  if (loaded) return loaded;
  const root = new protobuf.Root();
  // google/protobuf/* (Any, Duration) are built into protobufjs; everything else is vendored.
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target));
  root.loadSync(['opentelemetry/proto/collector/logs/v1/logs_service.proto', 'google/rpc/status.proto', 'google/rpc/error_details.proto']);
  root.resolveAll();
  loaded = {
    root,
    ExportLogsServiceRequest: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    ExportLogsServiceResponse: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
    Status: root.lookupType('google.rpc.Status'),
    RetryInfo: root.lookupType('google.rpc.RetryInfo'),
  };
  return loaded;
}

export const EXPORT_LOGS_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** The answer to an export, as protobuf bytes (empty for a full success). */
export function encodeExportResponse(rejected: number, errorMessage: string): Buffer {
  if (rejected === 0 && errorMessage === '') return Buffer.alloc(0);
  const { ExportLogsServiceResponse } = otlpTypes();
  const message = ExportLogsServiceResponse.fromObject({ partialSuccess: { rejectedLogRecords: rejected, errorMessage } });
  return Buffer.from(ExportLogsServiceResponse.encode(message).finish());
}

/** The answer to an export, as OTLP/JSON. */
export function exportResponseJson(rejected: number, errorMessage: string): string {
  if (rejected === 0 && errorMessage === '') return '{}';
  // int64 is a string in proto3 JSON.
  return JSON.stringify({ partialSuccess: { rejectedLogRecords: String(rejected), errorMessage } });
}

/** A google.rpc.Status, with a RetryInfo detail when a retry delay is given. */
export function encodeStatus(code: number, message: string, retryDelayMs?: number): Buffer {
  const { Status, RetryInfo } = otlpTypes();
  const details = [];
  if (retryDelayMs !== undefined) {
    const retryDelay = { seconds: Math.floor(retryDelayMs / 1000), nanos: (retryDelayMs % 1000) * 1_000_000 };
    details.push({ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: RetryInfo.encode(RetryInfo.fromObject({ retryDelay })).finish() });
  }
  return Buffer.from(Status.encode(Status.fromObject({ code, message, details })).finish());
}

/** The same Status as proto3 JSON (RetryInfo as the JSON form of Any). */
export function statusJson(code: number, message: string, retryDelayMs?: number): string {
  const details = retryDelayMs === undefined
    ? []
    : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${(retryDelayMs / 1000).toFixed(3).replace(/\.?0+$/, '')}s` }];
  return JSON.stringify(details.length > 0 ? { code, message, details } : { code, message });
}

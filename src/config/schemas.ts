/** Schema fragments shared by components: sizes, durations, TLS blocks. */
import type { JsonSchema } from '../core/component.ts';

export const size = (doc?: string): JsonSchema => ({ sizeBytes: true, ...(doc ? { 'x-doc': doc } : {}) });
export const duration = (doc?: string): JsonSchema => ({ durationMs: true, ...(doc ? { 'x-doc': doc } : {}) });
export const str = (doc?: string): JsonSchema => ({ type: 'string', ...(doc ? { 'x-doc': doc } : {}) });
export const bool = (doc?: string): JsonSchema => ({ type: 'boolean', ...(doc ? { 'x-doc': doc } : {}) });
export const int = (min = 0, doc?: string): JsonSchema => ({ type: 'integer', minimum: min, ...(doc ? { 'x-doc': doc } : {}) });
export const strList = (doc?: string): JsonSchema => ({ type: 'array', items: { type: 'string' }, ...(doc ? { 'x-doc': doc } : {}) });
export const oneOf = (values: readonly string[], doc?: string): JsonSchema => ({ type: 'string', enum: [...values], ...(doc ? { 'x-doc': doc } : {}) });

/** An object schema that rejects unknown keys. */
export function object(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** `tls` on a server (receivers): clients must present a cert signed by `client_ca_file` when it is set. */
export const tlsServerSchema: JsonSchema = object({
  cert_file: str('PEM certificate chain presented to clients'),
  key_file: str('PEM private key'),
  ca_file: str('extra CA bundle (PEM)'),
  client_ca_file: str('when set, clients without a certificate signed by this CA are refused'),
  min_version: oneOf(['1.2', '1.3'], 'lowest TLS version accepted'),
  reload_interval: duration('how often certificate files are checked for changes'),
}, ['cert_file', 'key_file']);

/** `tls` on a client (exporters): TLS unless `insecure: true`. */
export const tlsClientSchema: JsonSchema = object({
  insecure: bool('plain TCP, no TLS (labs only)'),
  insecure_skip_verify: bool('accept any server certificate (labs only)'),
  ca_file: str('CA bundle (PEM) that signs the server certificate'),
  cert_file: str('client certificate (PEM) for mTLS'),
  key_file: str('client private key (PEM) for mTLS'),
  server_name: str('name checked against the server certificate (SNI)'),
  min_version: oneOf(['1.2', '1.3'], 'lowest TLS version accepted'),
  reload_interval: duration('how often certificate files are checked for changes'),
});

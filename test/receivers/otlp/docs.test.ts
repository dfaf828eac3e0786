/** docs/receivers/otlp.md documents every option of the schema and every error code. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configSchema } from '../../../src/receivers/otlp/config.ts';
import { OtlpInvalidRequestError, OtlpRequestTooLargeError, OtlpUnsupportedMediaError } from '../../../src/receivers/otlp/errors.ts';

const doc = readFileSync(new URL('../../../docs/receivers/otlp.md', import.meta.url), 'utf8');

function optionNames(schema: Record<string, unknown>, prefix = ''): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).flatMap(([key, sub]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    return sub.properties && key !== 'tls' ? [name, ...optionNames(sub, key === 'grpc' || key === 'http' || key === 'protocols' ? '' : name)] : [name];
  });
}

describe('otlp receiver docs', () => {
  it('describe every config option', () => {
    const names = optionNames(configSchema);
    expect(names.length).toBeGreaterThan(12);
    const missing = names.filter((n) => !doc.includes('`' + n + '`'));
    expect(missing).toEqual([]);
  });

  it('list every error code', () => {
    for (const error of [new OtlpInvalidRequestError('x'), new OtlpRequestTooLargeError('x'), new OtlpUnsupportedMediaError('x')]) {
      expect(doc).toContain('`' + error.code + '`');
    }
  });
});

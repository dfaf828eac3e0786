import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfigText } from '../../src/config/load.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { testRegistry } from '../helpers/agent.ts';

async function issuesOf(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await loadConfigText('c.yaml', yaml, { registry: testRegistry(), env, cwd: '/tmp' });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
}

const minimal = (extra = '') => `
receivers: { memory: {} }
exporters: { file: { path: ./o.jsonl } }
service:
  pipelines: { logs: { receivers: [memory], exporters: [file] } }
${extra}`;

describe('config loading', () => {
  it('names every one of five mistakes with its line:column', async () => {
    const text = readFileSync(new URL('../fixtures/config/five-mistakes.yaml', import.meta.url), 'utf8');
    const issues = await issuesOf(text);
    expect(issues).toEqual([
      'c.yaml:6:12: exporters.file.fsync: must be one of: batch, interval, none',
      'c.yaml:8:17: exporters.file.rotation.max_size: must be a size such as 512KiB, 64MiB or 1GiB',
      'c.yaml:9:7: exporters.file.rotation.max_backup: unknown key "max_backup"',
      'c.yaml:10:3: exporters.nosuch/thing: unknown exporter type "nosuch" (known: file, memory)',
      'c.yaml:13:21: service.shutdown_timeout: must be a duration such as 200ms, 10s or 5m',
      'c.yaml:17:25: service.pipelines.logs.exporters[1]: exporter "file/missing" is not defined under exporters',
    ]);
  });

  // One named case per expected error, as in the Collector's invalid_configs tables.
  const cases: [string, string, RegExp][] = [
    ['unknown top-level key', minimal('extensions: {}'), /c.yaml:6:1: extensions: unknown key "extensions"/],
    ['bad component id', minimal().replace('memory: {}', '"Memory!": {}'), /invalid receiver id "Memory!"/],
    ['non-logs pipeline', minimal().replace('logs: {', 'traces: {'), /invalid pipeline id "traces"/],
    ['pipeline without exporters', minimal().replace(', exporters: [file]', ''), /service.pipelines.logs: missing required key "exporters"/],
    ['processor listed but not defined', minimal().replace('receivers: [memory]', 'receivers: [memory], processors: [batch]'), /processor "batch" is not defined under processors/],
    ['receiver listed twice', minimal().replace('receivers: [memory]', 'receivers: [memory, memory]'), /receiver "memory" is listed twice/],
    ['component config not a map', minimal().replace('memory: {}', 'memory: [1]'), /receivers.memory: must be a map/],
    ['yaml syntax error', 'receivers: {\n  a: [\n', /c.yaml:\d+:\d+: /],
    ['duplicate key', minimal().replace('receivers: { memory: {} }', 'receivers: { memory: {}, memory: {} }'), /c.yaml:2:26: Map keys must be unique/],
    ['unset env without default', minimal().replace('./o.jsonl', '"${env:CUSTODY_NOPE}"'), /c.yaml:3:28: environment variable CUSTODY_NOPE is not set/],
    ['bad log level', minimal('  telemetry: { logs: { level: loud } }').replace('service:\n', 'service:\n'), /level: must be one of: debug, info, warn, error/],
    ['missing plugin', minimal('  plugins: [./no/such/plugin.ts]'), /service.plugins\[0\]: cannot load plugin/],
  ];
  it.each(cases)('reports %s', async (_name, yaml, expected) => {
    const issues = await issuesOf(yaml);
    expect(issues.join('\n')).toMatch(expected);
  });

  it('substitutes ${env:NAME} and ${env:NAME:-default}, typed like YAML, and $$ as a literal $', async () => {
    const config = await loadConfigText('c.yaml', `
receivers: { memory: {} }
exporters:
  file:
    path: \${env:OUT_DIR:-/var/x}/\${env:NAME}.jsonl
    rotation:
      max_backups: \${env:BACKUPS}
  file/b: { path: "/cost/$$5" }
service:
  max_inflight_records: \${env:INFLIGHT:-500}
  pipelines: { logs: { receivers: [memory], exporters: [file, file/b] } }
`, { registry: testRegistry(), env: { NAME: 'audit', BACKUPS: '4' }, cwd: '/tmp' });
    const file = config.exporters.get('file')!.config as { path: string; rotation: { max_backups: number } };
    expect(file.path).toBe('/var/x/audit.jsonl');
    expect(file.rotation.max_backups).toBe(4);
    expect((config.exporters.get('file/b')!.config as { path: string }).path).toBe('/cost/$5');
    expect(config.service.max_inflight_records).toBe(500);
  });

  it('turns sizes and durations into numbers and fills defaults', async () => {
    const config = await loadConfigText('c.yaml', minimal('  shutdown_timeout: 1m30s').replace('path: ./o.jsonl', 'path: ./o.jsonl, rotation: { max_size: 64MiB }'), { registry: testRegistry(), env: {}, cwd: '/srv' });
    expect(config.service.shutdown_timeout).toBe(90_000);
    expect(config.service.data_dir).toBe('/srv/data');
    const file = config.exporters.get('file')!.config as { rotation: { max_size: number; max_backups: number }; fsync: string };
    expect(file.rotation).toEqual({ max_size: 64 * 1024 * 1024, max_backups: 10 });
    expect(file.fsync).toBe('batch');
  });

  it('never echoes an environment value in an error', async () => {
    const issues = await issuesOf(minimal().replace('fsync', 'x').replace('path: ./o.jsonl', 'path: ./o.jsonl, fsync: "${env:SECRET}"'), { SECRET: 'hunter2-secret' });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join('\n')).not.toContain('hunter2');
  });
});

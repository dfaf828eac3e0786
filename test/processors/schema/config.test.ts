import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfigText } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { testRegistry, tempDir } from '../../helpers/agent.ts';

const AUDIT = join(process.cwd(), 'config/schemas/audit-event.v1.json');

/** Loads a config whose processors section is `processors` and returns its errors. */
async function errorsFor(processors: string, cwd: string): Promise<string[]> {
  const yaml = `receivers: { memory: {} }
processors:
${processors}
exporters: { memory: {}, memory/invalid: {} }
service:
  pipelines: { logs: { receivers: [memory], exporters: [memory] } }
`;
  try {
    await loadConfigText(join(cwd, 'custody.yaml'), yaml, { registry: testRegistry(), cwd, env: {} });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [...e.issues];
  }
}

describe('schema processor config errors (one case per error, with YAML path and line:column)', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'broken.json'), '{ "type": "object", ');
  await writeFile(join(dir, 'bad-type.json'), '{ "type": "strin" }');
  await writeFile(join(dir, 'list.json'), '[1, 2]');

  const cases: [string, string, RegExp][] = [
    ['a missing schema file', `  schema:\n    schemas: [{ name: a, file: ${join(dir, 'nope.json')} }]`,
      /custody\.yaml:4:\d+: processors\.schema\.schemas\[0\]\.file: schema file .*nope\.json does not exist/],
    ['a file that is not JSON', `  schema:\n    schemas: [{ name: a, file: ${join(dir, 'broken.json')} }]`,
      /custody\.yaml:4:\d+: processors\.schema\.schemas\[0\]\.file: schema file .*broken\.json is not valid JSON/],
    ['a file that is not a schema object', `  schema:\n    schemas: [{ name: a, file: ${join(dir, 'list.json')} }]`,
      /processors\.schema\.schemas\[0\]\.file: schema file .*list\.json must hold a JSON Schema object/],
    ['a file the meta-schema rejects', `  schema:\n    schemas: [{ name: a, file: ${join(dir, 'bad-type.json')} }]`,
      /processors\.schema\.schemas\[0\]\.file: not a valid JSON Schema: \/type: must be one of "array", "boolean"/],
    ['an inline schema error, located inside it', '  schema:\n    schemas:\n      - name: a\n        schema:\n          type: object\n          properties:\n            id: { type: 12 }',
      /custody\.yaml:9:\d+: processors\.schema\.schemas\[0\]\.schema\.properties\.id\.type: not a valid JSON Schema/],
    ['an unknown keyword (a typo would weaken validation)', '  schema:\n    schemas: [{ name: a, schema: { type: object, requird: [x] } }]',
      /processors\.schema\.schemas\[0\]\.schema: cannot compile schema: strict mode: unknown keyword: "requird"/],
    ['an unknown format', '  schema:\n    schemas: [{ name: a, schema: { type: string, format: date_time } }]',
      /processors\.schema\.schemas\[0\]\.schema: cannot compile schema: unknown format "date_time"/],
    ['a pattern RE2 cannot run', '  schema:\n    schemas: [{ name: a, schema: { type: string, pattern: "(?=x)" } }]',
      /processors\.schema\.schemas\[0\]\.schema: cannot compile schema: .*invalid perl operator/],
    ['an unsupported $schema', '  schema:\n    schemas: [{ name: a, schema: { $schema: "http://json-schema.org/draft-04/schema#" } }]',
      /custody\.yaml:4:\d+: processors\.schema\.schemas\[0\]\.schema\.\$schema: unsupported \$schema/],
    ['a bad regex in match', `  schema:\n    schemas:\n      - name: a\n        file: ${AUDIT}\n        match: { body: { event.kind: { matches: "(audit" } } }`,
      /custody\.yaml:7:\d+: processors\.schema\.schemas\[0\]\.match\.body\.event\.kind\.matches: invalid RE2 pattern: missing \)/],
    ['an unknown operator in match', `  schema:\n    schemas: [{ name: a, file: ${AUDIT}, match: { body: { k: { regex: x } } } }]`,
      /processors\.schema\.schemas\[0\]\.match\.body\.k\.regex: unknown key "regex"/],
    ['both file and schema', `  schema:\n    schemas: [{ name: a, file: ${AUDIT}, schema: {} }]`,
      /custody\.yaml:4:\d+: processors\.schema\.schemas\[0\]: set exactly one of file or schema/],
    ['neither file nor schema', '  schema:\n    schemas: [{ name: a }]',
      /processors\.schema\.schemas\[0\]: set exactly one of file or schema/],
    ['a repeated name and version', '  schema:\n    schemas: [{ name: a, version: 1, schema: {} }, { name: a, version: "1", schema: {} }]',
      /processors\.schema\.schemas\[1\]\.version: schema "a" version 1 is already defined at schemas\[0\]/],
    ['dead_letter mode without an exporter', `  schema:\n    schemas: [{ name: a, file: ${AUDIT} }]\n    on_invalid: dead_letter`,
      /processors\.schema\.dead_letter: on_invalid: dead_letter needs dead_letter: <exporter id>/],
    ['a dead_letter exporter that is not defined', `  schema:\n    on_invalid: dead_letter\n    dead_letter: file/invalid`,
      /custody\.yaml:5:\d+: processors\.schema\.dead_letter: exporter "file\/invalid" is not defined under exporters/],
    ['dead_letter set while on_invalid is not dead_letter', '  schema:\n    on_invalid: drop\n    dead_letter: memory/invalid',
      /processors\.schema\.dead_letter: dead_letter is only used with on_invalid: dead_letter/],
    ['an unknown on_invalid', '  schema:\n    on_invalid: quarantine',
      /processors\.schema\.on_invalid: must be one of: drop, tag, dead_letter/],
    ['an unknown key in an entry', `  schema:\n    schemas: [{ name: a, file: ${AUDIT}, when: {} }]`,
      /processors\.schema\.schemas\[0\]\.when: unknown key "when"/],
    ['an entry without a name', `  schema:\n    schemas: [{ file: ${AUDIT} }]`,
      /processors\.schema\.schemas\[0\]: missing required key "name"/],
  ];

  it.each(cases)('%s', async (_name, processors, expected) => {
    const errors = await errorsFor(processors, dir);
    expect(errors.join('\n')).toMatch(expected);
  });

  it('accepts the contract example', async () => {
    const errors = await errorsFor(`  schema:\n    schemas:\n      - { name: audit-v1, file: config/schemas/audit-event.v1.json, match: { body: { event.kind: audit } } }\n    require_match: false\n    on_invalid: dead_letter\n    dead_letter: memory/invalid`, process.cwd());
    expect(errors).toEqual([]);
  });
});

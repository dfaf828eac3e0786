import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfigText } from '../../src/config/load.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { startAgent, tempDir, testRegistry } from '../helpers/agent.ts';
import { memoryReceivers } from '../helpers/memory.ts';

const pluginPath = resolve('plugins/add-attributes/index.ts');

describe('plugins', () => {
  it('loads a plugin named in service.plugins and runs it like a built-in', async () => {
    const dir = await tempDir();
    const agent = await startAgent(`
receivers: { memory/plug: {} }
processors:
  add_attributes:
    attributes: { deployment.environment: prod, tier: 1 }
    resource: { k8s.cluster.name: eu-1 }
exporters: { file: { path: ${join(dir, 'out.jsonl')} } }
service:
  plugins: [${pluginPath}]
  data_dir: ${dir}
  pipelines: { logs: { receivers: [memory/plug], processors: [add_attributes], exporters: [file] } }
`, { cwd: dir });
    await memoryReceivers.get('memory/plug')!.push([{ body: 'x', attributes: { tier: 0 } }]);
    const line = JSON.parse(await readFile(join(dir, 'out.jsonl'), 'utf8'));
    expect(line.attributes).toEqual({ tier: 0, 'deployment.environment': 'prod' });
    expect(line.resource).toEqual({ 'k8s.cluster.name': 'eu-1' });
    await agent.stop();
  });

  it('validates plugin config with line:column, and does not know the plugin unless it is configured', async () => {
    const yaml = (plugins: string) => `
receivers: { memory: {} }
processors:
  add_attributes:
    colour: red
exporters: { file: { path: /tmp/x.jsonl } }
service:
  plugins: [${plugins}]
  pipelines: { logs: { receivers: [memory], processors: [add_attributes], exporters: [file] } }
`;
    const issues = async (text: string) => {
      try {
        await loadConfigText('c.yaml', text, { registry: testRegistry(), env: {}, cwd: '/tmp' });
        return [];
      } catch (e) {
        return (e as ConfigError).issues;
      }
    };
    expect(await issues(yaml(pluginPath))).toEqual(['c.yaml:5:5: processors.add_attributes.colour: unknown key "colour"']);
    expect((await issues(yaml(''))).join()).toMatch(/unknown processor type "add_attributes"/);
  });

  it('refuses a module that is not a component factory', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.mjs');
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, 'export default { kind: "processor", type: "Bad-Type" };'));
    await expect(loadConfigText('c.yaml', `
receivers: { memory: {} }
exporters: { file: { path: /tmp/x.jsonl } }
service:
  plugins: [${bad}]
  pipelines: { logs: { receivers: [memory], exporters: [file] } }
`, { registry: testRegistry(), env: {}, cwd: dir })).rejects.toThrow(/service.plugins\[0\]: plugin .*bad.mjs: factory "type" must match/);
  });
});

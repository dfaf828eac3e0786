/** Builds an in-process agent from YAML text, with the memory components registered. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load.ts';
import { Agent } from '../../src/core/agent.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { builtinFactories } from '../../src/components.ts';
import { Registry } from '../../src/core/registry.ts';
import { memoryExporterFactory, memoryReceiverFactory } from './memory.ts';

export function testRegistry(): Registry {
  return new Registry([...builtinFactories, memoryReceiverFactory, memoryExporterFactory]);
}

export async function tempDir(prefix = 'custody-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Loads `yaml` (with `${env:...}` from `env`) and starts an agent without the HTTP endpoint. */
export async function startAgent(yaml: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; telemetryServer?: boolean } = {}): Promise<Agent> {
  const cwd = options.cwd ?? (await tempDir());
  const config = await loadConfigText(join(cwd, 'custody.yaml'), yaml, { registry: testRegistry(), cwd, env: options.env ?? {} });
  const agent = new Agent(config, { logger: silentLogger, telemetryServer: options.telemetryServer ?? false });
  await agent.start();
  return agent;
}

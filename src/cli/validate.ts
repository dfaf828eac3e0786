import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import { createRegistry } from '../components.ts';
import { parseCommandArgs } from './main.ts';

/** `custody validate -c FILE`: 0 valid, 1 invalid (every problem printed), 2 usage. */
export async function validateCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: true });
  if (typeof parsed === 'string' || (!parsed.values.config && parsed.positionals.length !== 1)) {
    process.stderr.write(`custody validate: ${typeof parsed === 'string' ? parsed : 'usage: custody validate -c FILE'}\n`);
    return 2;
  }
  const file = (parsed.values.config as string | undefined) ?? parsed.positionals[0]!;
  try {
    const config = await loadConfig(file, { registry: createRegistry() });
    const count = config.receivers.size + config.processors.size + config.exporters.size;
    process.stdout.write(`${file}: valid (${count} components, ${config.service.pipelines.length} pipeline${config.service.pipelines.length === 1 ? '' : 's'})\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const issue of e.issues) process.stderr.write(`${issue}\n`);
      process.stderr.write(`${file}: ${e.issues.length} error${e.issues.length === 1 ? '' : 's'}\n`);
      return 1;
    }
    process.stderr.write(`custody validate: ${(e as Error).message}\n`);
    return 1;
  }
}

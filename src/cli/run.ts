import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import { createLogger, isLogLevel } from '../core/logger.ts';
import { Agent } from '../core/agent.ts';
import { createRegistry } from '../components.ts';
import { parseCommandArgs } from './main.ts';

/**
 * `custody run [-c FILE]`: runs until SIGTERM/SIGINT, then drains in-flight data to the
 * exporters and their queues. Exit 0 on a clean stop, 1 on a bad config or a fatal error.
 */
export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: { config: { type: 'string', short: 'c', default: 'config/custody.yaml' }, 'log-level': { type: 'string' } },
  });
  if (typeof parsed === 'string') {
    process.stderr.write(`custody run: ${parsed}\n`);
    return 2;
  }
  const file = parsed.values.config as string;
  const flagLevel = parsed.values['log-level'] as string | undefined;
  if (flagLevel !== undefined && !isLogLevel(flagLevel)) {
    process.stderr.write(`custody run: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  let config;
  try {
    config = await loadConfig(file, { registry: createRegistry() });
  } catch (e) {
    const boot = createLogger({ level: 'info' });
    if (e instanceof ConfigError) boot.error('invalid configuration; not starting', { config: file, errors: e.issues });
    else boot.error('cannot load configuration', { config: file, error: e as Error });
    return 1;
  }
  const logger = createLogger({ level: flagLevel ?? config.service.telemetry.logs.level });
  const agent = new Agent(config, { logger });

  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    if (!stopping) {
      logger.info('stopping', { reason });
      stopping = agent.stop();
    }
    return stopping;
  };
  const done = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn('second signal: exiting without waiting for the drain', { signal });
        process.exit(exitCode || 1);
      }
      void stop(signal).then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    agent.onFatal(() => {
      exitCode = 1;
      void stop('fatal error').then(resolve);
    });
  });
  try {
    await agent.start();
  } catch (e) {
    logger.error('agent failed to start', { error: e as Error });
    return 1;
  }
  await done;
  return agent.fatal ? 1 : exitCode;
}

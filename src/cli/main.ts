/**
 * The `custody` command line: run, validate, verify, keygen. Exit codes follow the contract.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VERSION } from '../core/version.ts';

const USAGE = `custody ${VERSION}: a log agent for private, complete, provably untampered audit logs

Usage:
  custody run [-c FILE] [--log-level LEVEL]   run the agent (default config/custody.yaml)
  custody validate -c FILE                      check a config; every error names its line:column
  custody verify [--key PUB.pem] [--checkpoints FILE] [--json] FILE...
                                                verify hash chains in exported JSONL files
  custody keygen --out DIR                      write an Ed25519 key pair (signing.pem, signing.pub.pem)
  custody --version
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { runCommand } = await import('./run.ts');
      return runCommand(rest);
    }
    case 'validate': {
      const { validateCommand } = await import('./validate.ts');
      return validateCommand(rest);
    }
    case 'keygen': {
      const { keygenCommand } = await import('./keygen.ts');
      return keygenCommand(rest);
    }
    case '--version':
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`custody: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** parseArgs with errors turned into a usage message. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> | string {
  try {
    return parseArgs(config);
  } catch (e) {
    return (e as Error).message;
  }
}

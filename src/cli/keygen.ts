import { generateKeyPairSync, createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommandArgs } from './main.ts';

/** `custody keygen --out DIR`: an Ed25519 pair, signing.pem (PKCS#8, 0600) and signing.pub.pem (SPKI). */
export async function keygenCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args, options: { out: { type: 'string' }, force: { type: 'boolean' } } });
  if (typeof parsed === 'string' || !parsed.values.out) {
    process.stderr.write(`custody keygen: ${typeof parsed === 'string' ? parsed : 'usage: custody keygen --out DIR [--force]'}\n`);
    return 2;
  }
  const dir = parsed.values.out as string;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const flag = parsed.values.force ? 'w' : 'wx';
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'signing.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag });
    await writeFile(join(dir, 'signing.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`custody keygen: ${err.code === 'EEXIST' ? `${err.path} exists (use --force to replace it)` : err.message}\n`);
    return 2;
  }
  process.stdout.write(`wrote ${join(dir, 'signing.pem')} and ${join(dir, 'signing.pub.pem')}\nkey_id ${keyId(publicKey.export({ type: 'spki', format: 'der' }))}\n`);
  return 0;
}

/** The contract's key id: hex SHA-256 of the public key's SPKI DER. */
export function keyId(spkiDer: Buffer): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}


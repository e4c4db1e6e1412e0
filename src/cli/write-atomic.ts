import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SecretrefError } from '../core.js';

/**
 * Writes `text` so the file is either the old one or the whole new one, never half-written:
 * a private temp file beside it (mode 0600: rendered output holds secrets), then a rename.
 * A failure is INVALID_INPUT naming the file (never its contents).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretrefError('INVALID_INPUT', `Cannot write ${path} (${code}); check that its folder exists and is writable.`);
  }
}

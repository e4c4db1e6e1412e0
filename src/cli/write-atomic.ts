import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
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

/**
 * Writes several files all or nothing: every one to a private temp file beside its target
 * (mode 0600; missing folders created 0700), and only when all of them are written, each renamed
 * into place. When a write fails, the temp files and the folders this call created are removed
 * and no target is touched. Renames happen last and need no space; one that still fails (a
 * target folder replaced meanwhile) is reported with how many files were already in place.
 */
export async function writeFilesAtomic(files: readonly { path: string; text: string }[]): Promise<void> {
  const created: string[] = [];
  const temps: string[] = [];
  try {
    for (const dir of new Set(files.map((f) => dirname(f.path)))) {
      const made = await mkdir(dir, { recursive: true, mode: 0o700 });
      if (made !== undefined) created.push(made);
    }
    for (const f of files) {
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${randomBytes(6).toString('hex')}.tmp`);
      temps.push(tmp);
      await writeFile(tmp, f.text, { mode: 0o600, flag: 'wx' });
    }
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    for (const dir of created.reverse()) await rm(dir, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const at = temps.length > 0 ? (files[temps.length - 1]?.path ?? '') : (files[0]?.path ?? '');
    throw new SecretrefError('INVALID_INPUT', `Cannot write ${at} (${code}); nothing was written. Check that the folder is writable.`);
  }
  for (const [i, f] of files.entries()) {
    try {
      await rename(temps[i] as string, f.path);
    } catch (e) {
      await Promise.all(temps.slice(i).map((t) => rm(t, { force: true })));
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretrefError('INVALID_INPUT', `Cannot move the rendered ${f.path} into place (${code}); ${i} of ${files.length} file(s) were written.`);
    }
  }
}

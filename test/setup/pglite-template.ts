/**
 * A PGlite data folder initialised once per test run (initdb costs seconds, booting an existing
 * folder well under one), with pgcrypto created. Test files copy it instead of initialising their own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function makePgliteTemplate(): Promise<string> {
  const [{ PGlite }, { pgcrypto }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pgcrypto'),
  ]);
  const dir = join(mkdtempSync(join(tmpdir(), 'secretref-pglite-')), 'db');
  const db = await PGlite.create({ dataDir: dir, extensions: { pgcrypto } });
  await db.exec('create extension if not exists pgcrypto');
  await db.close();
  return dir;
}

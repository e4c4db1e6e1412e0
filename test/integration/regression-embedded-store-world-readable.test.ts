/**
 * Security review #6: the embedded store was world-readable and world-writable (PGlite creates
 * its files 0666 and folders 0777, less the umask). The data folder must be 0700 and its files
 * 0600 whatever the umask; an existing store with looser modes is tightened at open, which says
 * so once; `doctor` checks the modes.
 */
import { chmodSync, cpSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import { cli } from '../helpers/cli.js';

const DEV = '00000000-0000-0000-0000-0000000000e6';

/** Every folder and file under `root` (root included) whose mode gives group or others any access. */
function loose(root: string): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) out.push(`${p} ${mode.toString(8)}`);
      for (const e of readdirSync(p)) visit(join(p, e));
    } else if (mode !== 0o600) out.push(`${p} ${mode.toString(8)}`);
  };
  visit(root);
  return out;
}

/** Makes every folder 0777 and file 0666 under `root`: what PGlite left behind with umask 0. */
function loosen(root: string): void {
  const visit = (p: string): void => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      chmodSync(p, 0o777);
      for (const e of readdirSync(p)) visit(join(p, e));
    } else chmodSync(p, 0o666);
  };
  visit(root);
}

const dirs: string[] = [];
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'secretref-modes-'));
  dirs.push(d);
  return d;
}

let savedUmask = 0;
beforeAll(() => {
  // The worst umask: nothing masked. The store must not depend on the umask at all.
  savedUmask = process.umask(0);
});
afterAll(() => {
  process.umask(savedUmask);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded store file modes', () => {
  it('creates a new store 0700/0600 with umask 0, and keeps it so after writes and close', async () => {
    const db = join(folder(), 'db');
    const warnings: string[] = [];
    const store = await openStore({ url: `file:${db}`, masterKey: keygen(), onWarning: (m) => warnings.push(m) });
    expect(loose(db)).toEqual([]);
    const dev = store.scope(DEV);
    for (let i = 0; i < 20; i++) await dev.create({ name: `s_${i}`, value: `VALUE-${i}` });
    // Files PGlite creates while open sit in a 0700 folder; close tightens them too.
    expect(lstatSync(db).mode & 0o777).toBe(0o700);
    await store.close();
    expect(loose(db)).toEqual([]);
    // A store this process made itself is not "tightened": nothing to say.
    expect(warnings).toEqual([]);
  });

  it('tightens an existing world-readable store at open and says so once, without a value', async () => {
    const db = join(folder(), 'db');
    cpSync(inject('pgliteTemplate'), db, { recursive: true });
    const key = keygen();
    const first = await openStore({ url: `file:${db}`, masterKey: key });
    await first.scope(DEV).create({ name: 'token', value: 'WORLD-READABLE-VALUE' });
    await first.close();
    loosen(db);
    expect(loose(db).length).toBeGreaterThan(100);

    const warnings: string[] = [];
    const again = await openStore({ url: `file:${db}`, masterKey: key, onWarning: (m) => warnings.push(m) });
    expect(loose(db)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(db);
    expect(warnings[0]).toMatch(/0700/);
    expect(warnings[0]).not.toContain('WORLD-READABLE-VALUE');
    expect(warnings[0]).not.toContain(key);
    expect((await again.scope(DEV).get('token', { reveal: true })).value).toBe('WORLD-READABLE-VALUE');
    await again.close();

    // Once: the next open finds nothing to tighten.
    const third = await openStore({ url: `file:${db}`, masterKey: key, onWarning: (m) => warnings.push(m) });
    await third.close();
    expect(warnings).toHaveLength(1);
  });

  it('emits a process warning by default (what the CLI shows on stderr)', async () => {
    const db = join(folder(), 'db');
    cpSync(inject('pgliteTemplate'), db, { recursive: true });
    loosen(db);
    const seen: Error[] = [];
    const onWarning = (w: Error): void => void seen.push(w);
    process.on('warning', onWarning);
    try {
      const store = await openStore({ url: `file:${db}`, masterKey: keygen() });
      await store.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = seen.filter((w) => (w as Error & { code?: string }).code === 'SECRETREF_STORE_MODES');
    expect(ours).toHaveLength(1);
    expect(loose(db)).toEqual([]);
  });

  it('doctor checks the modes: a loose store is reported (and tightened), a tight one passes', async () => {
    const dir = folder();
    const db = join(dir, 'db');
    cpSync(inject('pgliteTemplate'), db, { recursive: true });
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: `file:${db}`, SECRETREF_DEVELOPER_ID: DEV };
    loosen(db);
    const before = await cli(['doctor', '--json'], { env, cwd: dir });
    const check = (out: string) =>
      (JSON.parse(out).checks as { name: string; ok: boolean; warn?: boolean; detail: string }[]).find((c) => c.name === 'file modes');
    const found = check(before.stdout);
    expect(found?.warn).toBe(true);
    expect(found?.detail).toMatch(/0777|open to other users/);
    expect(loose(db)).toEqual([]);

    const after = await cli(['doctor', '--json'], { env, cwd: dir });
    expect(after.code).toBe(0);
    const ok = check(after.stdout);
    expect(ok?.ok).toBe(true);
    expect(ok?.warn).toBeUndefined();
    expect(ok?.detail).toContain('0700');

    const text = await cli(['doctor'], { env, cwd: dir });
    expect(text.stdout).toMatch(/file modes\s+data folder 0700/);
  });
});

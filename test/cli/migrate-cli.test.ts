/**
 * `secretref migrate` in-process: from the embedded default store of a folder to another embedded
 * store under a new key named by --to-key-env; the summary says what was copied and verified, a
 * rerun copies nothing, and the moved secrets read back under the new key. No value is printed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli } from '../helpers/cli.js';

describe('secretref migrate', () => {
  it('copies, verifies, is idempotent, and re-encrypts under the --to-key-env key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-migrate-cli-'));
    const [k1, k2] = [keygen(), keygen()];
    const env = { SECRETS_MASTER_KEY: k1, NEW_KEY: k2 };
    expect((await cli(['secrets', 'create', 'db_password', '--metadata', 'team=ops'], { cwd: dir, env, stdin: 'hunter2-value' })).code).toBe(0);
    await cli(['secrets', 'rotate', 'db_password', '--grace', '1h'], { cwd: dir, env, stdin: 'rotated-value' });
    const r = await cli(['migrate', '--to', 'file:moved', '--to-key-env', 'NEW_KEY'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 developer(s): 1 copied (1 secret(s),');
    expect(r.stderr).toContain('Verified: every row of the target equals the source.');
    const again = await cli(['migrate', '--to', 'file:moved', '--to-key-env', 'NEW_KEY', '--json'], { cwd: dir, env });
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 1, copied: 0, alreadyThere: 1, verified: true });
    const moved = { SECRETS_MASTER_KEY: k2, SECRETREF_DATABASE_URL: 'file:moved' };
    expect((await cli(['secrets', 'get', 'db_password', '--reveal'], { cwd: dir, env: moved })).stdout).toBe('rotated-value');
    expect((await cli(['secrets', 'get', 'db_password', '--reveal', '--previous'], { cwd: dir, env: moved })).stdout).toBe('hunter2-value');
    for (const out of [r, again]) expect(out.stdout + out.stderr).not.toMatch(/hunter2-value|rotated-value/);
  }, 120_000);

  it('exits 2 without --to, with an unset --to-key-env, or with the source as target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-migrate-cli-'));
    const env = { SECRETS_MASTER_KEY: keygen() };
    expect((await cli(['migrate'], { cwd: dir, env })).code).toBe(2);
    expect((await cli(['migrate', '--to', 'file:x', '--to-key-env', 'NOPE'], { cwd: dir, env })).code).toBe(2);
    expect((await cli(['migrate', '--to', 'file:.secretref/db'], { cwd: dir, env })).code).toBe(2);
  }, 60_000);
});

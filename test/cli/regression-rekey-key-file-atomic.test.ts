/**
 * Regression: after re-encrypting every row, `rekey` on the embedded default overwrote the key
 * file in place (truncate, then write). A process killed or a disk filling up in between left an
 * empty or partial key file — the only copy of the key the rows are now encrypted under. The key
 * file is now replaced atomically (a private temp file, then a rename), still mode 0600.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli } from '../helpers/cli.js';

describe('rekey with the embedded default key file', () => {
  it('replaces the key file atomically, mode 0600, and the secrets read under the new key', async () => {
    const home = mkdtempSync(join(tmpdir(), 'secretref-home-'));
    const cwd = mkdtempSync(join(tmpdir(), 'secretref-proj-'));
    const env = { HOME: home };
    const created = await cli(['--create-key', 'secrets', 'create', 'token'], { cwd, env, stdin: 'tok-value' });
    expect(created.code).toBe(0);
    const keyFile = /in (\S+\.key)/.exec(created.stderr)?.[1] as string;
    const before = statSync(keyFile).ino;

    const newKey = keygen();
    const r = await cli(['rekey', '--new-key-env', 'NEW_KEY'], { cwd, env: { ...env, NEW_KEY: newKey } });
    expect(r.code).toBe(0);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(newKey);
    expect(statSync(keyFile).ino).not.toBe(before);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(keyFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const read = await cli(['secrets', 'get', 'token', '--reveal'], { cwd, env });
    expect(read.stdout).toBe('tok-value');
  }, 120_000);
});

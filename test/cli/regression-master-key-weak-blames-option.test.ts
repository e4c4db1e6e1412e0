/**
 * MASTER_KEY_WEAK blamed "the masterKey option" whatever the key's source (issue 18): the CLI
 * never takes a key as an option; it names SECRETS_MASTER_KEY, or the key file it read.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFilePath, resolveConfig } from '../../src/cli/config.js';
import { cli, fakeIo } from '../helpers/cli.js';

describe('MASTER_KEY_WEAK names where the key came from', () => {
  it('SECRETS_MASTER_KEY', async () => {
    const r = await cli(['secrets', 'list'], { env: { SECRETS_MASTER_KEY: 'password123' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MASTER_KEY_WEAK');
    expect(r.stderr).toContain('from SECRETS_MASTER_KEY');
    expect(r.stderr).not.toContain('masterKey option');
    expect(r.stderr).not.toContain('password123');
  });

  it('the key file of the embedded store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-weak-'));
    const env = { XDG_CONFIG_HOME: join(dir, 'config') };
    const io = fakeIo({ cwd: dir, env });
    const file = keyFilePath(resolveConfig({}, io, undefined), io);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n', { mode: 0o600 });
    const r = await cli(['secrets', 'list', '--no-config'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MASTER_KEY_WEAK');
    expect(r.stderr).toContain(`the key file ${file}`);
    expect(r.stderr).not.toContain('masterKey option');
  });
});

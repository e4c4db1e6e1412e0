/**
 * Regression: `secrets get NAME --reveal --previous` for a secret with no previous value (never
 * rotated, or its grace period over) printed a note on stderr and exited 0 with nothing on
 * stdout, so `V=$(secretref secrets get x --reveal --previous)` silently got an empty value. It
 * is now a failure (exit 1, INVALID_INPUT), like `rollback` without a previous value.
 */
import { describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper } from '../helpers/cli.js';

describe('secrets get --reveal --previous without a previous value', () => {
  it('fails with exit 1 and prints nothing on stdout', async () => {
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: newDeveloper() };
    expect((await cli(['secrets', 'create', 'token'], { env, stdin: 'value-1' })).code).toBe(0);
    const r = await cli(['secrets', 'get', 'token', '--reveal', '--previous'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('INVALID_INPUT');

    expect((await cli(['secrets', 'rotate', 'token'], { env, stdin: 'value-2' })).code).toBe(0);
    const ok = await cli(['secrets', 'get', 'token', '--reveal', '--previous'], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('value-1');
  });
});

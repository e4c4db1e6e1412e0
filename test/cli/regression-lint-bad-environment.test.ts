/**
 * Regression: `lint --environment pr-od` (an environment no secret name can start with) failed
 * with one INVALID_NAME per reference about "the secret name" at pointers /0, /2, … — names the
 * user never wrote. It is now one INVALID_INPUT about the environment, as `render` reports it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper } from '../helpers/cli.js';

describe('lint --environment with an invalid environment', () => {
  it('is INVALID_INPUT naming the environment, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-env-'));
    writeFileSync(join(dir, 't.yaml'), 'name: t\nurl: https://api.example.com\nauth: $secrets.api_key\n');
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: newDeveloper() };
    const r = await cli(['lint', 't.yaml', '--environment', 'pr-od'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toContain('environment');
    expect(r.stderr).not.toContain('INVALID_NAME');
  });
});

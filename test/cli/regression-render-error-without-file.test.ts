/**
 * `render` errors did not name the file (issue 18): a definition that could not be written in the
 * asked format, and each line of an error with several problems, said only `1:16 /url`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper } from '../helpers/cli.js';

describe('render errors name the file', () => {
  const env = () => ({ SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: newDeveloper() });
  const dir = mkdtempSync(join(tmpdir(), 'secretref-render-err-'));
  writeFileSync(join(dir, 'nested.yaml'), 'a:\n  b: 1\n');
  writeFileSync(join(dir, 'two.yaml'), 'url: https://x/$secrets.nope\nkey: $secrets.other\n');

  it('a definition that cannot be written as dotenv', async () => {
    const r = await cli(['render', 'nested.yaml', '--format', 'dotenv'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^secretref: nested\.yaml \/a: INVALID_INPUT: /);
  });

  it('every line of an error with several problems', async () => {
    const r = await cli(['render', 'two.yaml'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('two.yaml:1:16 /url: SECRET_NOT_FOUND');
    expect(r.stderr).toContain('two.yaml:2:6 /key: SECRET_NOT_FOUND');
  });
});

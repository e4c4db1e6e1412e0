/**
 * Regression: `render --redact --format yaml` serialised first and redacted the text after, but
 * YAML folds long strings at spaces (and quotes some with ''), so a long secret value with
 * spaces came out unredacted across two lines. Values are now masked before serialising.
 */
import { describe, expect, inject, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper } from '../helpers/cli.js';

describe('render --redact --format yaml', () => {
  it('masks a long value with spaces that YAML folds', async () => {
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: newDeveloper() };
    const value = 'correct horse battery staple and another fairly long passphrase with spaces in it for folding';
    const quoted = "it's: a 'quoted' s3cret value";
    expect((await cli(['secrets', 'create', 'long_pass'], { env, stdin: value })).code).toBe(0);
    expect((await cli(['secrets', 'create', 'quoted_pass'], { env, stdin: quoted })).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'secretref-redact-'));
    writeFileSync(join(dir, 't.yaml'), 'name: t\na: $secrets.long_pass\nb: "{{ secrets.quoted_pass }}"\n');
    for (const format of ['yaml', 'json']) {
      const r = await cli(['render', 't.yaml', '--redact', '--format', format], { env, cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('[REDACTED:long_pass]');
      expect(r.stdout).toContain('[REDACTED:quoted_pass]');
      for (const word of ['battery', 'folding', 's3cret']) expect(r.stdout + r.stderr).not.toContain(word);
    }
  });
});

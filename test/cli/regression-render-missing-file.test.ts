/**
 * Regression: `secretref render nosuch.yaml` (and a folder) failed with "internal error: Error"
 * (an uncatalogued ENOENT/EISDIR from the file system) instead of INVALID_INPUT naming the file.
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli } from '../helpers/cli.js';

describe('render of a file that cannot be read', () => {
  it.each([['nosuch.yaml'], ['a-folder']])('%s is INVALID_INPUT, exit 1', async (file) => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-missing-'));
    mkdirSync(join(dir, 'a-folder'));
    const r = await cli(['render', file], { cwd: dir, env: { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: 'memory:' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toContain('internal error');
  });
});

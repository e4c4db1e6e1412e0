/**
 * Regression: `secretref render nosuch.yaml` (and a folder) failed with "internal error: Error"
 * (an uncatalogued ENOENT/EISDIR from the file system) instead of INVALID_INPUT naming the file.
 */
import { spawnSync } from 'node:child_process';
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

/**
 * Files are read synchronously (files.ts): opening a named pipe that way would wait for a writer
 * and hang the command. It is opened non-blocking, and refused as not a file.
 */
describe('a named pipe named on the command line', () => {
  it.each([['lint', '--offline'], ['refs']])('%s refuses it as INVALID_INPUT at once', async (...args) => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-fifo-'));
    const made = spawnSync('mkfifo', [join(dir, 'pipe.yaml')]);
    expect(made.status).toBe(0);
    const r = await cli([...args, 'pipe.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toContain('pipe.yaml is not a file');
  });
});

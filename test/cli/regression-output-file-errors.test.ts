/**
 * Regression: `render --out` and `lint --output` into a folder that does not exist failed with an
 * uncatalogued "internal error" (a raw ENOENT); `lint --output` also wrote its report in place,
 * so a failed write could leave half a report. Both now write through writeFileAtomic, whose
 * failures are INVALID_INPUT naming the file, and leave nothing behind.
 */
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli } from '../helpers/cli.js';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-out-'));
  writeFileSync(join(dir, 't.yaml'), 'name: t\nurl: https://example.com\n');
  return dir;
}

describe('output files', () => {
  it.each([
    [['render', 't.yaml', '--out', 'no-such-folder/out.json']],
    [['lint', 't.yaml', '--offline', '--output', 'no-such-folder/report.sarif', '--format', 'sarif']],
  ])('%j into a missing folder is INVALID_INPUT, exit 1', async (argv) => {
    const dir = folder();
    const r = await cli(argv, { cwd: dir, env: { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: 'memory:' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).not.toContain('internal error');
  });

  it('lint --output replaces the report atomically (a new file, no temp file left)', async () => {
    const dir = folder();
    const out = join(dir, 'report.json');
    writeFileSync(out, 'old');
    const before = statSync(out).ino;
    const r = await cli(['lint', 't.yaml', '--offline', '--format', 'json', '--output', 'report.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(statSync(out).ino).not.toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

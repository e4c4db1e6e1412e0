/**
 * Under `--json` (and `lint --format json`) an error is one JSON document on stdout — its code,
 * message and problems — with the usual exit code (1, or 2 for a usage error) and nothing on
 * stderr; without it, errors stay text on stderr. Never an argv token or a value in either.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/index.js';
import { cli, newDeveloper } from '../helpers/cli.js';

let env: Record<string, string>;
beforeAll(() => {
  env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: newDeveloper() };
});

interface ErrorDoc {
  version: number;
  error: { code: string; message: string; usage: boolean; problems: { code: string; path: string; line: number | null; column: number | null; suggestion?: string; name?: string }[] };
}

function parsed(stdout: string): ErrorDoc {
  return JSON.parse(stdout) as ErrorDoc;
}

describe('errors under --json', () => {
  it('a store error: SECRET_NOT_FOUND as JSON on stdout, exit 1, stderr empty', async () => {
    const r = await cli(['secrets', 'get', 'no_such_secret', '--json'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const doc = parsed(r.stdout);
    expect(doc.version).toBe(1);
    expect(doc.error).toMatchObject({ code: 'SECRET_NOT_FOUND', usage: false });
    expect(doc.error.problems[0]?.code).toBe('SECRET_NOT_FOUND');
  });

  it('usage errors, found by commander or by a command, are JSON with usage: true, exit 2', async () => {
    for (const argv of [['audit', '--limit', 'many', '--json'], ['refs', 'x.yaml', '--json', '--frobnicate'], ['frobnicate', '--json'], ['refs', '--json', 'x.yaml', '--dialect', 'cobol']]) {
      const r = await cli(argv, { env });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).not.toContain('error:');
      expect(parsed(r.stdout).error, argv.join(' ')).toMatchObject({ code: 'INVALID_INPUT', usage: true });
    }
  });

  it('lint --format json: a missing file is a JSON error; SARIF and text readers get text on stderr', async () => {
    const json = await cli(['lint', '--offline', 'nope.yaml', '--format', 'json'], { env });
    expect(json.code).toBe(1);
    expect(parsed(json.stdout).error.code).toBe('INVALID_INPUT');
    const sarif = await cli(['lint', '--offline', 'nope.yaml', '--format', 'sarif'], { env });
    expect(sarif.code).toBe(1);
    expect(sarif.stdout).toBe('');
    expect(sarif.stderr).toContain('INVALID_INPUT');
  });

  it('refs --json reports document problems in its refs document (exit 1), not as an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-json-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: t\na: $secrets.x\nb: "{{ secrets[k] }}"\n');
    const r = await cli(['refs', 'bad.yaml', '--json'], { cwd: dir });
    // refs reports document problems in its own result, not as an error: exit 1, a refs document.
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.error).toBeUndefined();
    expect(doc.files[0].problems.map((p: { code: string; line: number }) => [p.code, p.line])).toEqual([['REFERENCE_DYNAMIC', 3]]);
  });

  it('never repeats a token pasted where an option goes, or a value', async () => {
    const r = await cli(['secrets', 'create', 'x', '--json', '--Sk-LiVe-8fQz'], { env, stdin: 'v' });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('Sk-LiVe-8fQz');
    expect(parsed(r.stdout).error.usage).toBe(true);
  });

  it('without --json, errors stay text on stderr and stdout stays empty', async () => {
    const r = await cli(['secrets', 'get', 'no_such_secret'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^secretref: .*SECRET_NOT_FOUND/);
  });

  it('render never prints a JSON error on stdout (it could be taken for the rendered definition)', async () => {
    const r = await cli(['render', 'nope.yaml', '--format', 'json'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('INVALID_INPUT');
  });
});

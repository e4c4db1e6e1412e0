/**
 * The built binary as a user runs it: README's quick-start command exactly, exit codes, SARIF,
 * the embedded default store in a fresh folder, and no value in output unless asked for.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const run = promisify(execFile);

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<Out> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...(opts.env ?? {}) };
  if (opts.input !== undefined) {
    // execFile has no stdin option; a shell pipe keeps the value off argv of the CLI.
    const r = await run('bash', ['-c', `printf %s "$VALUE" | "$0" "$@"`, cmd, ...args], { cwd: opts.cwd ?? ROOT, env: { ...env, VALUE: opts.input } }).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    return r;
  }
  return await run(cmd, args, { cwd: opts.cwd ?? ROOT, env }).then(
    (x) => ({ code: 0, ...x }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

beforeAll(() => {
  // The binary under test is the one `npm ci` builds (prepare); rebuild so it matches the source.
  ensureBuilt();
}, 180_000);

describe('secretref binary', () => {
  it('README quick start: `npx secretref demo` renders the examples redacted and lints the broken one', async () => {
    const r = await sh('npx', ['secretref', 'demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rendered \d+ example tool definitions/);
    expect(r.stdout).toContain('[REDACTED:');
    expect(r.stdout).toMatch(/broken-tool\.yaml:\d+:\d+: error SECRET_NOT_FOUND/);
    expect(r.stdout).toContain('REFERENCE_DYNAMIC');
    expect(r.stdout).toContain('UNSAFE_TEMPLATE');
    // The demo's made-up values all start with "demo-": none may be printed.
    expect(r.stdout + r.stderr).not.toMatch(/demo-[a-z_]+-[0-9a-f]{8}/);
  }, 120_000);

  it('exit codes: 0 ok, 1 findings, 2 usage', async () => {
    expect((await sh(process.execPath, [BIN, 'lint', '--offline', 'fixtures/tools'])).code).toBe(0);
    const broken = await sh(process.execPath, [BIN, 'lint', '--offline', 'fixtures/broken/broken-tool.yaml', '--format', 'sarif']);
    expect(broken.code).toBe(1);
    const sarif = JSON.parse(broken.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    expect((await sh(process.execPath, [BIN, 'frobnicate'])).code).toBe(2);
  }, 60_000);

  it('keeps secrets in the embedded default store of a fresh folder; values only on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-e2e-'));
    const key = (await sh(process.execPath, [BIN, 'keygen'])).stdout.trim();
    const env = { SECRETS_MASTER_KEY: key };
    const value = 'pa$$w:rd@/?#%{{ secrets.x }}';
    const created = await sh(process.execPath, [BIN, 'secrets', 'create', 'db_password'], { cwd: dir, env, input: value });
    expect(created.code).toBe(0);
    expect(created.stdout + created.stderr).not.toContain(value);
    await sh(process.execPath, [BIN, 'secrets', 'create', 'db_user'], { cwd: dir, env, input: 'app' });

    const get = await sh(process.execPath, [BIN, 'secrets', 'get', 'db_password'], { cwd: dir, env });
    expect(get.stdout).not.toContain(value);
    expect((await sh(process.execPath, [BIN, 'secrets', 'get', 'db_password', '--reveal'], { cwd: dir, env })).stdout).toBe(value);

    writeFileSync(join(dir, 'tool.yaml'), 'name: q\ndsn: postgresql://$secrets.db_user:${secrets.db_password}@db:5432/app\n');
    const rendered = await sh(process.execPath, [BIN, 'render', 'tool.yaml'], { cwd: dir, env });
    expect(rendered.code).toBe(0);
    expect(decodeURIComponent(new URL(JSON.parse(rendered.stdout).dsn).password)).toBe(value);
    const redacted = await sh(process.execPath, [BIN, 'render', 'tool.yaml', '--redact'], { cwd: dir, env });
    expect(redacted.stdout).toContain('[REDACTED:db_password]');
    expect(redacted.stdout).not.toContain(encodeURIComponent(value));
    const doctor = await sh(process.execPath, [BIN, 'doctor'], { cwd: dir, env });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain('All checks passed.');
  }, 180_000);
});

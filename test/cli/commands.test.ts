/**
 * Every command in-process against the real PostgreSQL test server (a fresh developer id per
 * test keeps tests apart), plus the embedded default where it matters.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper, type CliCall } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOOLS = join(ROOT, 'fixtures', 'tools');
const BROKEN = join(ROOT, 'fixtures', 'broken', 'broken-tool.yaml');

let url: string;
const key = keygen();

beforeAll(() => {
  url = inject('pg').appUrl;
});

function as(developer: string, extra: CliCall = {}): CliCall {
  return { ...extra, env: { SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: url, SECRETREF_DEVELOPER_ID: developer, ...(extra.env ?? {}) } };
}

describe('keygen and usage', () => {
  it('prints a fresh 256-bit key each time', async () => {
    const a = await cli(['keygen']);
    const b = await cli(['keygen']);
    expect(a.code).toBe(0);
    expect(Buffer.from(a.stdout.trim(), 'base64url')).toHaveLength(32);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it.each([
    [['no-such-command']],
    [['secrets', 'create']],
    [['secrets', 'create', 'x', '--value', 'hunter2']],
    [['render', 'x.yaml', '--format', 'xml']],
    [['lint', 'x.yaml', '--format', 'html']],
    [['secrets', 'rotate', 'x', '--grace', 'soon']],
    [['audit', '--limit', 'many']],
    [['--developer', 'bob', 'secrets', 'list']],
    [['rekey', '--new-key-env', 'SECRETS_MASTER_KEY', '--batch-size', '0']],
  ])('exits 2 on a usage error: %j', async (argv) => {
    const r = await cli(argv, as(newDeveloper(), { stdin: 'v' }));
    expect(r.code).toBe(2);
  });

  it('does not echo a value pasted where an option, a command or a name goes', async () => {
    for (const argv of [['secrets', 'create', '-Sk-LiVe-8fQz'], ['-Sk-LiVe-8fQz'], ['Sk-LiVe-8fQz'], ['secrets', 'get', 'x', '--Sk-LiVe-8fQz']]) {
      const r = await cli(argv, as(newDeveloper(), { stdin: 'v' }));
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout + r.stderr, argv.join(' ')).not.toContain('Sk-LiVe-8fQz');
    }
  });

  it('has no way to pass a value on argv', async () => {
    const r = await cli(['secrets', 'create', 'x', '--value=hunter2'], as(newDeveloper()));
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('--help exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('secrets');
  });
});

describe('secrets lifecycle', () => {
  it('create (stdin) → list → get → reveal → update → rotate → previous → rollback → delete, never a value unasked', async () => {
    const dev = newDeveloper();
    const value = 'p@ss:w/rd?#%"{{ secrets.x }}$secrets.y';
    let r = await cli(['secrets', 'create', 'db_password', '--description', 'prod db', '--metadata', 'env=prod', '--metadata', 'team=data'], as(dev, { stdin: `${value}\n` }));
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(value);

    r = await cli(['secrets', 'create', 'db_password'], as(dev, { stdin: 'other' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DUPLICATE_NAME');

    r = await cli(['secrets', 'list', '--json'], as(dev));
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout);
    expect(listed.version).toBe(1);
    expect(listed.secrets.map((s: { name: string }) => s.name)).toEqual(['db_password']);
    expect(listed.secrets[0].metadata).toEqual({ env: 'prod', team: 'data' });
    expect(r.stdout).not.toContain(value);

    r = await cli(['secrets', 'list', '--metadata', 'env=dev'], as(dev));
    expect(r.stdout).not.toContain('db_password');

    r = await cli(['secrets', 'get', 'db_password'], as(dev));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('db_password');
    expect(r.stdout).not.toContain(value);

    r = await cli(['secrets', 'get', 'db_password', '--reveal'], as(dev));
    expect(r.stdout).toBe(value); // one trailing newline from stdin was dropped; none added off a terminal

    r = await cli(['secrets', 'update', 'db_password', '--rename', 'warehouse_password', '--metadata', 'team='], as(dev));
    expect(r.code).toBe(0);
    r = await cli(['secrets', 'get', 'warehouse_password', '--json'], as(dev));
    expect(JSON.parse(r.stdout).metadata).toEqual({ env: 'prod' });

    r = await cli(['secrets', 'rotate', 'warehouse_password', '--grace', '1h'], as(dev, { stdin: 'second' }));
    expect(r.code).toBe(0);
    r = await cli(['secrets', 'get', 'warehouse_password', '--reveal'], as(dev));
    expect(r.stdout).toBe('second');
    r = await cli(['secrets', 'get', 'warehouse_password', '--reveal', '--previous'], as(dev));
    expect(r.stdout).toBe(value);

    r = await cli(['secrets', 'rollback', 'warehouse_password'], as(dev));
    expect(r.code).toBe(0);
    r = await cli(['secrets', 'get', 'warehouse_password', '--reveal'], as(dev));
    expect(r.stdout).toBe(value);

    r = await cli(['audit', '--json'], as(dev));
    expect(r.code).toBe(0);
    const actions = JSON.parse(r.stdout).entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'rename', 'rotate', 'rollback', 'reveal']));
    expect(r.stdout).not.toContain(value);
    expect(r.stdout).not.toContain('second');

    r = await cli(['secrets', 'delete', 'warehouse_password'], as(dev));
    expect(r.code).toBe(0);
    r = await cli(['secrets', 'get', 'warehouse_password'], as(dev));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SECRET_NOT_FOUND');
  });

  it('asks for the value with a hidden prompt on a terminal', async () => {
    const dev = newDeveloper();
    let r = await cli(['secrets', 'create', 'api_key'], as(dev, { tty: true, answers: ['typed-value'] }));
    expect(r.code).toBe(0);
    r = await cli(['secrets', 'get', 'api_key', '--reveal'], as(dev));
    expect(r.stdout).toBe('typed-value');
  });

  it('refuses an empty value, an invalid name, and a weak or missing key', async () => {
    const dev = newDeveloper();
    expect((await cli(['secrets', 'create', 'x'], as(dev, { stdin: '' }))).code).toBe(2);
    const bad = await cli(['secrets', 'create', 'my-key'], as(dev, { stdin: 'v' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_NAME');
    const weak = await cli(['secrets', 'list'], as(dev, { env: { SECRETS_MASTER_KEY: 'a'.repeat(40) } }));
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('MASTER_KEY_WEAK');
    expect(weak.stderr).not.toContain('a'.repeat(40));
    const missing = await cli(['secrets', 'list'], { env: { SECRETREF_DATABASE_URL: url } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('MASTER_KEY_MISSING');
  });

  it("keeps developer B away from developer A's secrets", async () => {
    const a = newDeveloper();
    const b = newDeveloper();
    await cli(['secrets', 'create', 'shared_name'], as(a, { stdin: 'alpha-value' }));
    for (const argv of [['secrets', 'get', 'shared_name', '--reveal'], ['secrets', 'delete', 'shared_name'], ['secrets', 'rollback', 'shared_name']]) {
      const r = await cli(argv, as(b));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('SECRET_NOT_FOUND');
    }
    const rot = await cli(['secrets', 'rotate', 'shared_name'], as(b, { stdin: 'evil' }));
    expect(rot.stderr).toContain('SECRET_NOT_FOUND');
    const list = await cli(['secrets', 'list', '--json'], as(b));
    expect(JSON.parse(list.stdout).secrets).toEqual([]);
    const audit = await cli(['audit', '--json'], as(b));
    expect(JSON.parse(audit.stdout).entries).toEqual([]);
    expect((await cli(['secrets', 'get', 'shared_name', '--reveal'], as(a))).stdout).toBe('alpha-value');
  });
});

describe('refs, lint, render', () => {
  it('refs lists every reference of a folder as stable JSON', async () => {
    const r = await cli(['refs', TOOLS, '--json'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.version).toBe(1);
    expect(out.files.length).toBeGreaterThanOrEqual(10);
    const first = out.files[0].references[0];
    expect(Object.keys(first).sort()).toEqual(['column', 'context', 'endColumn', 'endLine', 'form', 'line', 'name', 'optional', 'path']);
    const broken = await cli(['refs', BROKEN], { cwd: ROOT });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('REFERENCE_DYNAMIC');
  });

  it('lint --offline: clean examples exit 0, the broken one exits 1, SARIF is 2.1.0', async () => {
    const clean = await cli(['lint', '--offline', TOOLS], { cwd: ROOT });
    expect(clean.code).toBe(0);
    const broken = await cli(['lint', '--offline', BROKEN, '--format', 'sarif'], { cwd: ROOT });
    expect(broken.code).toBe(1);
    const sarif = JSON.parse(broken.stdout);
    expect(sarif.version).toBe('2.1.0');
    const rules = sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['REFERENCE_DYNAMIC', 'UNSAFE_TEMPLATE']));
    const text = await cli(['lint', '--offline', BROKEN], { cwd: ROOT });
    expect(text.stdout).toMatch(/broken-tool\.yaml:\d+:\d+: error REFERENCE_DYNAMIC/);
    expect(text.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
    const tty = await cli(['lint', '--offline', BROKEN], { cwd: ROOT, tty: true, env: { NO_COLOR: '1' } });
    expect(tty.stdout).not.toMatch(/\u001b\[/);
    const colour = await cli(['lint', '--offline', BROKEN], { cwd: ROOT, tty: true, env: {} });
    expect(colour.stdout).toMatch(/\u001b\[/);
  });

  it('lint with the store finds the typo and suggests the right name', async () => {
    const dev = newDeveloper();
    await cli(['secrets', 'create', 'stripe_api_key'], as(dev, { stdin: 'sk_test_x' }));
    const r = await cli(['lint', BROKEN, '--format', 'json'], as(dev, { cwd: ROOT }));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const missing = report.diagnostics.find((d: { code: string }) => d.code === 'SECRET_NOT_FOUND');
    expect(missing.suggestion).toContain('stripe_api_key');
  });

  it('render substitutes, redacts, plans and writes atomically with mode 0600', async () => {
    const dev = newDeveloper();
    const dir = mkdtempSync(join(tmpdir(), 'secretref-cli-'));
    const password = 'p@ss:/?#%w';
    await cli(['secrets', 'create', 'db_user'], as(dev, { stdin: 'analyst' }));
    await cli(['secrets', 'create', 'db_password'], as(dev, { stdin: password }));
    writeFileSync(join(dir, 'db.yaml'), 'name: query\nconnection: postgresql://$secrets.db_user:${secrets.db_password}@db:5432/app\nheaders:\n  X-Token: "{{ secrets.db_password | raw }}"\n');

    let r = await cli(['render', 'db.yaml'], as(dev, { cwd: dir }));
    expect(r.code).toBe(0);
    const value = JSON.parse(r.stdout);
    const parsed = new URL(value.connection);
    expect(decodeURIComponent(parsed.password)).toBe(password);
    expect(value.headers['X-Token']).toBe(password);

    r = await cli(['render', 'db.yaml', '--redact'], as(dev, { cwd: dir }));
    expect(r.stdout).not.toContain(password);
    expect(r.stdout).not.toContain(encodeURIComponent(password));
    expect(r.stdout).toContain('[REDACTED:db_password]');

    r = await cli(['render', 'db.yaml', '--plan'], as(dev, { cwd: dir }));
    const plan = JSON.parse(r.stdout);
    expect(plan.plan.map((p: { secret: string }) => p.secret)).toEqual(['db_user', 'db_password', 'db_password']);
    expect(r.stdout).not.toContain(password);

    r = await cli(['render', 'db.yaml', '--out', 'out.json', '--format', 'yaml'], as(dev, { cwd: dir }));
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'out.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toContain('connection: postgresql://analyst:');

    r = await cli(['render', 'db.yaml', '--redact', '--out', 'redacted.json'], as(dev, { cwd: dir }));
    expect(r.code).toBe(0);
    const redactedFile = readFileSync(join(dir, 'redacted.json'), 'utf8');
    expect(redactedFile).toContain('[REDACTED:db_password]');
    expect(redactedFile).not.toContain(password);

    writeFileSync(join(dir, 'typo.yaml'), 'name: t\na: $secrets.db_pasword\nb: $secrets.DB_USER\n');
    r = await cli(['render', 'typo.yaml', '--out', 'typo.json'], as(dev, { cwd: dir }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SECRET_NOT_FOUND');
    expect(r.stderr).toContain('db_password');
    expect(r.stderr).toContain('db_user');
    expect(r.stderr).not.toContain(password);
    expect(existsSync(join(dir, 'typo.json'))).toBe(false);
  });

  it('render --environment prefers prod_NAME', async () => {
    const dev = newDeveloper();
    const dir = mkdtempSync(join(tmpdir(), 'secretref-cli-'));
    await cli(['secrets', 'create', 'stripe_key'], as(dev, { stdin: 'sk_test' }));
    await cli(['secrets', 'create', 'prod_stripe_key'], as(dev, { stdin: 'sk_live' }));
    writeFileSync(join(dir, 't.json'), '{"name":"charge","auth":"Bearer $secrets.stripe_key"}');
    const r = await cli(['render', 't.json', '--environment', 'prod'], as(dev, { cwd: dir }));
    expect(JSON.parse(r.stdout).auth).toBe('Bearer sk_live');
  });
});

describe('embedded default and key file', () => {
  it('offers a key file only when asked, mode 0600, and reuses it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'secretref-home-'));
    const cwd = mkdtempSync(join(tmpdir(), 'secretref-proj-'));
    const env = { HOME: home };
    const refused = await cli(['secrets', 'list'], { cwd, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('MASTER_KEY_MISSING');
    expect(refused.stderr).toContain('--create-key');

    const created = await cli(['--create-key', 'secrets', 'create', 'token'], { cwd, env, stdin: 'tok-value' });
    expect(created.code).toBe(0);
    const keyFile = /in (\S+\.key)/.exec(created.stderr)?.[1] as string;
    expect(keyFile.startsWith(home)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(cwd, '.secretref', 'db'))).toBe(true);

    const again = await cli(['secrets', 'get', 'token', '--reveal'], { cwd, env });
    expect(again.stdout).toBe('tok-value');
    const doctor = await cli(['doctor', '--json'], { cwd, env });
    expect(doctor.code).toBe(0);
    const checks = JSON.parse(doctor.stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(checks.every((c) => c.ok)).toBe(true);
    // The embedded store says what it cannot promise (PGlite has no fsync).
    expect(checks.find((c) => c.name === 'durability')?.detail).toContain('power loss');
    expect(checks.find((c) => c.name === 'lsp')?.detail).toContain('store rules on');
    expect(checks.find((c) => c.name === 'serve')?.detail).toMatch(/default socket .*serve\.sock/);
  }, 120_000);
});

describe('doctor and rekey', () => {
  it('doctor says what to do for a missing key and for rows under another key', async () => {
    const dev = newDeveloper();
    const missing = await cli(['doctor'], { env: { SECRETREF_DATABASE_URL: url } });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('FAIL');
    expect(missing.stdout).toContain('secretref keygen');

    await cli(['secrets', 'create', 'k1'], as(dev, { stdin: 'v1' }));
    const ok = await cli(['doctor', '--json'], as(dev));
    expect(ok.code).toBe(0);
    const other = await cli(['doctor', '--json'], as(dev, { env: { SECRETS_MASTER_KEY: keygen() } }));
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).checks.find((c: { name: string }) => c.name === 'key matches rows').ok).toBe(false);
  });

  it('doctor checks serve (socket folder, token) and lsp (offline without a store)', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'secretref-runtime-'));
    mkdirSync(join(runtime, 'secretref'), { mode: 0o755 });
    chmodSync(join(runtime, 'secretref'), 0o755);
    const env = { XDG_RUNTIME_DIR: runtime, SECRETREF_SERVE_TOKEN: 'too-short', SECRETREF_DATABASE_URL: `file:${join(runtime, 'none')}` };
    const r = await cli(['doctor', '--json'], { env, cwd: runtime });
    const checks = JSON.parse(r.stdout).checks as { name: string; ok: boolean; detail: string; fix?: string }[];
    const serve = checks.find((c) => c.name === 'serve');
    expect(serve).toMatchObject({ ok: false });
    expect(serve?.detail).toContain('open to other users (0755)');
    expect(serve?.detail).not.toContain('too-short');
    chmodSync(join(runtime, 'secretref'), 0o700);
    const fixed = JSON.parse((await cli(['doctor', '--json'], { env: { ...env, SECRETREF_SERVE_TOKEN: 'x'.repeat(40) }, cwd: runtime })).stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(fixed.find((c) => c.name === 'serve')).toMatchObject({ ok: true, detail: expect.stringContaining('(private folder); SECRETREF_SERVE_TOKEN set') });
    expect(fixed.find((c) => c.name === 'lsp')).toMatchObject({ ok: true });
    rmSync(runtime, { recursive: true, force: true });
  });

  it('rekey reads the new key from the named variable and refuses when it is unset', async () => {
    const dev = newDeveloper();
    const dir = mkdtempSync(join(tmpdir(), 'secretref-rekey-'));
    const dbUrl = `file:${join(dir, 'db')}`;
    const oldKey = keygen();
    const newKey = keygen();
    const env = { SECRETS_MASTER_KEY: oldKey, SECRETREF_DATABASE_URL: dbUrl, SECRETREF_DEVELOPER_ID: dev };
    await cli(['secrets', 'create', 'a'], { env, stdin: 'value-a' });
    expect((await cli(['rekey', '--new-key-env', 'NEW_KEY'], { env })).code).toBe(2);
    const r = await cli(['rekey', '--new-key-env', 'NEW_KEY'], { env: { ...env, NEW_KEY: newKey } });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(newKey);
    expect(r.stdout + r.stderr).not.toContain(oldKey);
    const read = await cli(['secrets', 'get', 'a', '--reveal'], { env: { ...env, SECRETS_MASTER_KEY: newKey } });
    expect(read.stdout).toBe('value-a');
  }, 120_000);
});

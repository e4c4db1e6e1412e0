/**
 * The project config file: found upward from the working folder (first of
 * secretref.config.json / .yaml / .yml / package.json "secretref" per folder, stopping after the
 * folder holding .git), the dialect per glob (first match wins), the environment and the store
 * URL; flags beat the environment, which beats the config, which beats the defaults. Bad config
 * is INVALID_INPUT with the file and the position of the bad setting.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/index.js';
import { cli, newDeveloper } from '../helpers/cli.js';

/** A fresh project folder (with .git, so the search never leaves it) holding `files`. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'secretref-config-'));
  mkdirSync(join(root, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const TOOL = 'name: t\nurl: https://api.example.com\nauth: $secrets.api_key\n';

interface RefsJson {
  files: { file: string; dialect: string; references: { name: string }[] }[];
}

async function dialects(cwd: string, argv: string[] = ['.']): Promise<Record<string, string>> {
  const r = await cli(['refs', ...argv, '--json'], { cwd });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as RefsJson;
  return Object.fromEntries(out.files.map((f) => [f.file, f.dialect]));
}

describe('dialect per file', () => {
  it('refs --json reports the dialect the config chose for each file; --dialect beats the config', async () => {
    const cwd = project({
      'secretref.config.json': JSON.stringify({ dialects: { 'tasks/**/*.yaml': 'julep', '*.julep.json': 'julep' } }),
      'tasks/a.yaml': TOOL,
      'tasks/deep/b.yaml': TOOL,
      'tools/c.yaml': TOOL,
      'tools/d.julep.json': '{"name":"d","auth":"$secrets.api_key"}',
    });
    expect(await dialects(cwd)).toEqual({ 'tasks/a.yaml': 'julep', 'tasks/deep/b.yaml': 'julep', 'tools/c.yaml': 'secretref', 'tools/d.julep.json': 'julep' });
    expect(await dialects(cwd, ['.', '--dialect', 'secretref'])).toEqual({ 'tasks/a.yaml': 'secretref', 'tasks/deep/b.yaml': 'secretref', 'tools/c.yaml': 'secretref', 'tools/d.julep.json': 'secretref' });
    expect(Object.values(await dialects(cwd, ['tools', '--dialect', 'julep']))).toEqual(['julep', 'julep']);
  });

  it('the chosen dialect reaches the library: secrets.get() is a reference in julep, an error in secretref', async () => {
    const task = 'name: t\nmain:\n  - tool: call\n    arguments:\n      auth: "$ f\'Bearer {secrets.get(\'tok\')}\'"\n';
    const cwd = project({ 'secretref.config.json': '{"dialects":{"tasks/**":"julep"}}', 'tasks/t.yaml': task });
    const julep = await cli(['refs', 'tasks/t.yaml', '--json'], { cwd });
    expect(julep.code, julep.stdout + julep.stderr).toBe(0);
    const file = JSON.parse(julep.stdout).files[0];
    expect(file.dialect).toBe('julep');
    expect(file.references.map((r: { name: string }) => r.name)).toEqual(['tok']);
    const secretref = await cli(['refs', 'tasks/t.yaml', '--json', '--dialect', 'secretref'], { cwd });
    expect(secretref.code).toBe(1);
    expect(JSON.parse(secretref.stdout).files[0].problems.length).toBeGreaterThan(0);
  });

  it('the first matching glob in the order written wins; `dialect` is the default of the rest', async () => {
    const cwd = project({
      'secretref.config.yaml': 'dialect: julep\ndialects:\n  tasks/special/*.yaml: secretref\n  tasks/**: julep\n',
      'tasks/special/x.yaml': TOOL,
      'tasks/y.yaml': TOOL,
      'other/z.yaml': TOOL,
    });
    expect(await dialects(cwd)).toEqual({ 'other/z.yaml': 'julep', 'tasks/special/x.yaml': 'secretref', 'tasks/y.yaml': 'julep' });
  });

  it('globs are relative to the config file, from whatever subfolder the command runs in', async () => {
    const root = project({ 'secretref.config.json': '{"dialects":{"tasks/**":"julep"}}', 'tasks/a.yaml': TOOL });
    expect(await dialects(join(root, 'tasks'))).toEqual({ 'a.yaml': 'julep' });
  });

  it('text output says the dialect: refs and lint summaries on stderr', async () => {
    const cwd = project({ 'secretref.config.json': '{"dialects":{"j/*":"julep"}}', 'j/a.yaml': TOOL, 's/b.yaml': TOOL });
    const refs = await cli(['refs', 'j'], { cwd });
    expect(refs.stderr).toContain('(dialect julep)');
    const lint = await cli(['lint', '--offline', '.'], { cwd });
    expect(lint.code).toBe(0);
    expect(lint.stderr).toContain('dialects julep 1, secretref 1');
    const json = await cli(['lint', '--offline', '.', '--format', 'json'], { cwd });
    expect(JSON.parse(json.stdout).files).toEqual([
      { file: 'j/a.yaml', dialect: 'julep' },
      { file: 's/b.yaml', dialect: 'secretref' },
    ]);
    const sarif = await cli(['lint', '--offline', 'j', '--format', 'sarif'], { cwd });
    expect(JSON.parse(sarif.stdout).runs[0].properties.dialects).toEqual([{ file: 'j/a.yaml', dialect: 'julep' }]);
  });

  it('--dialect takes secretref or julep only (usage error, exit 2)', async () => {
    const cwd = project({ 'a.yaml': TOOL });
    for (const cmd of [['refs', 'a.yaml'], ['lint', '--offline', 'a.yaml'], ['render', 'a.yaml']]) {
      const r = await cli([...cmd, '--dialect', 'python'], { cwd });
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toContain('--dialect');
    }
  });
});

describe('finding the config file', () => {
  it('in one folder: secretref.config.json before .yaml before .yml before package.json', async () => {
    const files = {
      'secretref.config.json': '{"dialect":"julep"}',
      'secretref.config.yaml': 'dialect: secretref\n',
      'secretref.config.yml': 'dialect: secretref\n',
      'package.json': '{"name":"p","secretref":{"dialect":"secretref"}}',
      'a.yaml': TOOL,
    };
    // The config files themselves are skipped in a folder; package.json is not ours to skip.
    expect(await dialects(project(files), ['a.yaml'])).toEqual({ 'a.yaml': 'julep' });
    const { 'secretref.config.json': _j, ...noJson } = files;
    expect(await dialects(project({ ...noJson, 'secretref.config.yaml': 'dialect: julep\n' }), ['a.yaml'])).toEqual({ 'a.yaml': 'julep' });
    expect(await dialects(project({ 'secretref.config.yml': 'dialect: julep\n', 'package.json': '{"secretref":{"dialect":"secretref"}}', 'a.yaml': TOOL }), ['a.yaml'])).toEqual({ 'a.yaml': 'julep' });
    expect(await dialects(project({ 'package.json': '{"name":"p","secretref":{"dialect":"julep"}}', 'a.yaml': TOOL }), ['a.yaml'])).toEqual({ 'a.yaml': 'julep' });
  });

  it('the nearest folder wins; a package.json without the key does not stop the search', async () => {
    const root = project({
      'secretref.config.json': '{"dialect":"julep"}',
      'sub/package.json': '{"name":"no-key-here"}',
      'sub/a.yaml': TOOL,
      'near/secretref.config.json': '{"dialect":"secretref"}',
      'near/b.yaml': TOOL,
    });
    expect(await dialects(join(root, 'sub'), ['a.yaml'])).toEqual({ 'a.yaml': 'julep' });
    expect(await dialects(join(root, 'near'))).toEqual({ 'b.yaml': 'secretref' });
  });

  it('stops after the folder holding .git: a config above the repository is not used', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'secretref-outer-'));
    writeFileSync(join(outer, 'secretref.config.json'), '{"dialect":"julep"}');
    const repo = join(outer, 'repo');
    mkdirSync(join(repo, 'tools'), { recursive: true });
    writeFileSync(join(repo, '.git'), 'gitdir: /elsewhere\n'); // a worktree's .git is a file
    writeFileSync(join(repo, 'tools', 'a.yaml'), TOOL);
    expect(await dialects(join(repo, 'tools'))).toEqual({ 'a.yaml': 'secretref' });
    // Without the .git boundary the outer file is found.
    const plain = join(outer, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'a.yaml'), TOOL);
    expect(await dialects(plain)).toEqual({ 'a.yaml': 'julep' });
  });

  it('--config FILE uses that file; --no-config uses none', async () => {
    const cwd = project({ 'secretref.config.json': '{"dialect":"julep"}', 'ci/other.yaml': 'dialect: secretref\ndialects: { "a.yaml": julep }\n', 'a.yaml': TOOL, 'b.yaml': TOOL });
    expect(await dialects(cwd, ['a.yaml', 'b.yaml'])).toEqual({ 'a.yaml': 'julep', 'b.yaml': 'julep' });
    const none = await cli(['--no-config', 'refs', 'a.yaml', 'b.yaml', '--json'], { cwd });
    expect(JSON.parse(none.stdout).files.map((f: { dialect: string }) => f.dialect)).toEqual(['secretref', 'secretref']);
    const other = await cli(['--config', 'ci/other.yaml', 'refs', 'a.yaml', 'b.yaml', '--json'], { cwd });
    expect(JSON.parse(other.stdout).files.map((f: { dialect: string }) => f.dialect)).toEqual(['secretref', 'secretref']);
    const missing = await cli(['--config', 'nope.json', 'refs', '.'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('INVALID_INPUT');
    expect(missing.stderr).toContain('nope.json');
  });
});

describe('bad config: INVALID_INPUT with the file and the position', () => {
  it('names the file, line and column of each bad setting, all at once', async () => {
    const cwd = project({ 'secretref.config.json': '{\n  "dialects": { "tasks/**": "python" },\n  "dialet": "julep"\n}\n', 'a.yaml': TOOL });
    const r = await cli(['refs', 'a.yaml'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toContain('secretref.config.json:2:29');
    expect(r.stderr).toContain('secretref.config.json:3:3');
    expect(r.stderr).toContain('dialet');
    const j = await cli(['refs', 'a.yaml', '--json'], { cwd });
    expect(j.code).toBe(1);
    const err = JSON.parse(j.stdout).error;
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.file).toBe('secretref.config.json');
    expect(err.problems.map((p: { path: string; line: number; column: number }) => [p.path, p.line, p.column])).toEqual([
      ['/dialects/tasks~1**', 2, 29],
      ['/dialet', 3, 3],
    ]);
  });

  it('YAML syntax errors, wrong types and absolute globs are located too; package.json errors point into the "secretref" key', async () => {
    const yamlBroken = await cli(['refs', 'a.yaml'], { cwd: project({ 'secretref.config.yaml': 'dialects:\n  a: [unclosed\n', 'a.yaml': TOOL }) });
    expect(yamlBroken.code).toBe(1);
    expect(yamlBroken.stderr).toMatch(/secretref\.config\.yaml:\d+:\d+/);
    const types = await cli(['refs', 'a.yaml', '--json'], { cwd: project({ 'secretref.config.yml': 'environment: 3\ndialects:\n  /abs/**: julep\n', 'a.yaml': TOOL }) });
    const problems = JSON.parse(types.stdout).error.problems as { path: string; line: number }[];
    expect(problems.map((p) => [p.path, p.line])).toEqual(
      expect.arrayContaining([
        ['/environment', 1],
        ['/dialects/~1abs~1**', 3],
      ]),
    );
    const pkg = await cli(['refs', 'a.yaml', '--json'], { cwd: project({ 'package.json': '{\n  "name": "p",\n  "secretref": { "dialect": 7 }\n}\n', 'a.yaml': TOOL }) });
    const p = JSON.parse(pkg.stdout).error.problems[0];
    expect([p.path, p.line, p.column]).toEqual(['/secretref/dialect', 3, 29]);
    const notObject = await cli(['refs', 'a.yaml'], { cwd: project({ 'secretref.config.json': '["julep"]', 'a.yaml': TOOL }) });
    expect(notObject.code).toBe(1);
    expect(notObject.stderr).toContain('secretref.config.json:1:1');
  });

  it('keygen and demo read no config: a broken file does not stop them', async () => {
    const cwd = project({ 'secretref.config.json': '{"dialect": "nope"}' });
    const r = await cli(['keygen'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toHaveLength(43);
  });
});

describe('environment and store URL from the config', () => {
  let url: string;
  beforeAll(() => {
    url = inject('pg').appUrl;
  });

  it('render uses the config environment unless --environment says otherwise', async () => {
    const dev = newDeveloper();
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: url, SECRETREF_DEVELOPER_ID: dev };
    const cwd = project({ 'secretref.config.json': '{"environment":"prod"}', 't.json': '{"name":"charge","auth":"Bearer $secrets.stripe_key"}' });
    await cli(['secrets', 'create', 'stripe_key'], { env, cwd, stdin: 'sk_test' });
    await cli(['secrets', 'create', 'prod_stripe_key'], { env, cwd, stdin: 'sk_live' });
    const fromConfig = await cli(['render', 't.json'], { env, cwd });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(JSON.parse(fromConfig.stdout).auth).toBe('Bearer sk_live');
    expect(fromConfig.stderr).toContain('dialect secretref');
    const plan = await cli(['render', 't.json', '--plan'], { env, cwd });
    expect(JSON.parse(plan.stdout)).toMatchObject({ dialect: 'secretref', plan: [{ secret: 'prod_stripe_key' }] });
    // No dev_ secret at all: an error unless allowed, then the fallback is warned about (issue 17).
    expect((await cli(['render', 't.json', '--environment', 'dev'], { env, cwd })).stderr).toContain('ENVIRONMENT_EMPTY');
    const flag = await cli(['render', 't.json', '--environment', 'dev', '--allow-empty-environment'], { env, cwd });
    expect(JSON.parse(flag.stdout).auth).toBe('Bearer sk_test');
    expect(flag.stderr).toContain('warning ENVIRONMENT_FALLBACK stripe_key');
  });

  it('databaseUrl: a file: path is relative to the config file; the environment and the flag beat it', async () => {
    const root = project({ 'secretref.config.json': '{"databaseUrl":"file:store/db"}', 'sub/.keep': '' });
    const env = { SECRETS_MASTER_KEY: keygen() };
    const fromConfig = await cli(['doctor', '--json'], { env, cwd: join(root, 'sub') });
    const where = (r: { stdout: string }) => (JSON.parse(r.stdout).checks as { name: string; detail: string }[]).find((c) => c.name === 'database')?.detail;
    expect(where(fromConfig)).toContain(join(root, 'store', 'db'));
    const fromEnv = await cli(['doctor', '--json'], { env: { ...env, SECRETREF_DATABASE_URL: 'memory:' }, cwd: join(root, 'sub') });
    expect(where(fromEnv)).toContain('in memory');
    const fromFlag = await cli(['--database-url', 'memory:', 'doctor', '--json'], { env, cwd: join(root, 'sub') });
    expect(where(fromFlag)).toContain('in memory');
  }, 60_000);

  it('a store named by the config is not the embedded default: no key file is offered for it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'secretref-home-'));
    const cwd = project({ 'secretref.config.json': '{"databaseUrl":"file:.secretref/db"}' });
    const r = await cli(['--create-key', 'secrets', 'list'], { cwd, env: { HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MASTER_KEY_MISSING');
    expect(r.stderr).not.toContain('--create-key');
  });
});

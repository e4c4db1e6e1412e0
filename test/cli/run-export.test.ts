/**
 * `run`, `export` and `render --format dotenv` in-process against the PostgreSQL test server,
 * with real child processes (issue 18): the child gets its variables in its environment and
 * never on argv, its piped output is masked even when a value is written in pieces, its exit
 * status and signal come back, and `export` writes exactly what `render --format dotenv` writes.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { scanDotenv } from '../../src/syntax/index.js';
import { cli, newDeveloper, type CliCall } from '../helpers/cli.js';

let url: string;
const key = keygen();
const PASSWORD = 'pa$$"w\'rd@db/?#x';
const TOKEN = 'tok-0123456789-abcdef';

beforeAll(() => {
  url = inject('pg').appUrl;
});

function as(developer: string, extra: CliCall = {}): CliCall {
  return { ...extra, env: { PATH: process.env.PATH, SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: url, SECRETREF_DEVELOPER_ID: developer, ...(extra.env ?? {}) } };
}

/** A developer with two secrets and a folder holding a template. */
async function setup(): Promise<{ dev: string; dir: string }> {
  const dev = newDeveloper();
  expect((await cli(['secrets', 'create', 'db_password'], as(dev, { stdin: PASSWORD }))).code).toBe(0);
  expect((await cli(['secrets', 'create', 'api_token'], as(dev, { stdin: TOKEN }))).code).toBe(0);
  const dir = mkdtempSync(join(tmpdir(), 'secretref-run-'));
  writeFileSync(join(dir, '.env.tpl'), '# app\nDB_PASSWORD=$secrets.db_password\nDSN="postgresql://app:${secrets.db_password}@db/app"\nexport API_TOKEN=\'{{ secrets.api_token }}\'\nPLAIN=hello\n');
  return { dev, dir };
}

describe('refs, lint and render read environment files', () => {
  it('refs and lint position references in a .env.tpl; render --format dotenv|json|yaml substitutes', async () => {
    const { dev, dir } = await setup();
    const refs = await cli(['refs', '.env.tpl', '--json'], as(dev, { cwd: dir }));
    expect(refs.code).toBe(0);
    const doc = JSON.parse(refs.stdout);
    expect(doc.files[0].references.map((r: { name: string; line: number; column: number }) => [r.name, r.line, r.column])).toEqual([
      ['db_password', 2, 13],
      ['db_password', 3, 23],
      ['api_token', 4, 22],
    ]);
    const lint = await cli(['lint', '.env.tpl'], as(dev, { cwd: dir }));
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    writeFileSync(join(dir, 'typo.env.tpl'), 'A=$secrets.db_pasword\n');
    const typo = await cli(['lint', 'typo.env.tpl'], as(dev, { cwd: dir }));
    expect(typo.code).toBe(1);
    expect(typo.stdout).toMatch(/typo\.env\.tpl:1:3: error SECRET_NOT_FOUND .*db_password/);

    const dotenv = await cli(['render', '.env.tpl', '--format', 'dotenv'], as(dev, { cwd: dir }));
    expect(dotenv.code, dotenv.stderr).toBe(0);
    const read = Object.fromEntries(scanDotenv(dotenv.stdout).entries.map((e) => [e.key, e.value]));
    expect(read).toEqual({ DB_PASSWORD: PASSWORD, DSN: `postgresql://app:${encodeURIComponent(PASSWORD)}@db/app`, API_TOKEN: TOKEN, PLAIN: 'hello' });
    const json = await cli(['render', '.env.tpl', '--format', 'json'], as(dev, { cwd: dir }));
    expect(JSON.parse(json.stdout)).toEqual(read);
    const redacted = await cli(['render', '.env.tpl', '--format', 'dotenv', '--redact'], as(dev, { cwd: dir }));
    expect(redacted.stdout).not.toContain(TOKEN);
    expect(redacted.stdout).toContain("API_TOKEN='[REDACTED:api_token]'");
  });

  it('a render error names the file and the line', async () => {
    const { dev, dir } = await setup();
    writeFileSync(join(dir, 'bad.env.tpl'), 'OK=1\nA=$secrets.nope\n');
    const r = await cli(['render', 'bad.env.tpl'], as(dev, { cwd: dir }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.env\.tpl:2:3/);
  });
});

describe('export', () => {
  it('writes exactly what render --format dotenv writes; JSON too; --out is mode 0600', async () => {
    const { dev, dir } = await setup();
    const rendered = await cli(['render', '.env.tpl', '--format', 'dotenv'], as(dev, { cwd: dir }));
    const exported = await cli(['export', '--env', '.env.tpl'], as(dev, { cwd: dir }));
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(rendered.stdout);
    expect(exported.stderr).not.toContain(TOKEN);
    const json = await cli(['export', '--env', '.env.tpl', '--format', 'json'], as(dev, { cwd: dir }));
    expect(json.stdout).toBe((await cli(['render', '.env.tpl', '--format', 'json'], as(dev, { cwd: dir }))).stdout);
    const out = await cli(['export', '--env', '.env.tpl', '--out', 'out.env'], as(dev, { cwd: dir }));
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    expect(readFileSync(join(dir, 'out.env'), 'utf8')).toBe(rendered.stdout);
    expect(statSync(join(dir, 'out.env')).mode & 0o777).toBe(0o600);
  });

  it('a later file wins; a missing secret fails with nothing written', async () => {
    const { dev, dir } = await setup();
    writeFileSync(join(dir, 'over.env'), 'PLAIN=override\nEXTRA=$secrets.api_token\n');
    const r = await cli(['export', '--env', '.env.tpl', '--env', 'over.env', '--format', 'json'], as(dev, { cwd: dir }));
    expect(JSON.parse(r.stdout)).toMatchObject({ PLAIN: 'override', EXTRA: TOKEN, API_TOKEN: TOKEN });
    writeFileSync(join(dir, 'missing.env'), 'X=$secrets.absent\n');
    const bad = await cli(['export', '--env', 'missing.env', '--out', 'never.env'], as(dev, { cwd: dir }));
    expect(bad.code).toBe(1);
    expect(() => statSync(join(dir, 'never.env'))).toThrow();
  });

  it('exits 2 without --env or with a bad --format', async () => {
    expect((await cli(['export'], as(newDeveloper()))).code).toBe(2);
    expect((await cli(['export', '--env', 'x', '--format', 'xml'], as(newDeveloper()))).code).toBe(2);
  });
});

const node = process.execPath;

describe('run', () => {
  it('gives the child its variables in the environment, not on argv, and not the master key', async () => {
    const { dev, dir } = await setup();
    const script = 'const e=process.env;console.error(JSON.stringify({argv:process.argv.slice(1),pw:e.DB_PASSWORD===' + JSON.stringify(PASSWORD) + ',tok:e.API_TOKEN.length,plain:e.PLAIN,key:e.SECRETS_MASTER_KEY??null}))';
    const r = await cli(['run', '--env', '.env.tpl', '--', node, '-e', script, 'arg1'], as(dev, { cwd: dir }));
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stderr.split('\n')[0] as string);
    expect(seen).toEqual({ argv: ['arg1'], pw: true, tok: TOKEN.length, plain: 'hello', key: null });
  });

  it('masks every used value in piped stdout and stderr, even written in pieces', async () => {
    const { dev, dir } = await setup();
    const script = [
      'const t=process.env.API_TOKEN, p=process.env.DB_PASSWORD;',
      'process.stdout.write("token="+t.slice(0,5));',
      'setTimeout(()=>{process.stdout.write(t.slice(5)+"\\n");console.error("pw "+p+" dsn "+process.env.DSN);console.log("json "+JSON.stringify({p}));},30);',
    ].join('');
    const r = await cli(['run', '--env', '.env.tpl', '--', node, '-e', script], as(dev, { cwd: dir }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('token=[REDACTED:api_token]\n');
    expect(r.stdout).toContain('json {"p":"[REDACTED:db_password]"}');
    expect(r.stderr).toContain('pw [REDACTED:db_password] dsn postgresql://app:[REDACTED:db_password]@db/app');
    for (const v of [TOKEN, PASSWORD, encodeURIComponent(PASSWORD)]) expect(r.stdout + r.stderr).not.toContain(v);
  });

  it('--no-mask passes output as written', async () => {
    const { dev, dir } = await setup();
    const r = await cli(['run', '--env', '.env.tpl', '--no-mask', '--', node, '-e', 'console.log(process.env.API_TOKEN)'], as(dev, { cwd: dir }));
    expect(r.stdout).toBe(`${TOKEN}\n`);
  });

  it("exits with the child's status, 128+n when a signal ended it, 2 when no command is given", async () => {
    const { dev, dir } = await setup();
    expect((await cli(['run', '--env', '.env.tpl', '--', node, '-e', 'process.exit(7)'], as(dev, { cwd: dir }))).code).toBe(7);
    expect((await cli(['run', '--env', '.env.tpl', '--', node, '-e', 'process.kill(process.pid,"SIGTERM")'], as(dev, { cwd: dir }))).code).toBe(143);
    expect((await cli(['run', '--env', '.env.tpl'], as(dev, { cwd: dir }))).code).toBe(2);
    expect((await cli(['run', '--', node], as(dev, { cwd: dir }))).code).toBe(2);
  });

  it('a command that cannot start, or a missing secret, is an error and nothing runs', async () => {
    const { dev, dir } = await setup();
    const missing = await cli(['run', '--env', '.env.tpl', '--', 'no-such-command-xyz'], as(dev, { cwd: dir }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-command-xyz: not found');
    writeFileSync(join(dir, 'missing.env'), 'X=$secrets.absent\n');
    const marker = join(dir, 'ran');
    const r = await cli(['run', '--env', 'missing.env', '--', node, '-e', `require("fs").writeFileSync(${JSON.stringify(marker)},"")`], as(dev, { cwd: dir }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.env:1:3.*SECRET_NOT_FOUND/s);
    expect(() => statSync(marker)).toThrow();
  });
});

/**
 * A CLI that starts fast (issue 17): the built binary runs a command's module only when that
 * command runs, so `--version` and `--help` load no YAML parser, template engine, validator or
 * store, and an offline lint loads no database client. Checked by what a run loaded, never by a
 * time: the packages inside the bundle (dist/cli/bundle/cli.cjs) record themselves when their code
 * first runs, and the launcher writes them, with Node.js's own modules, to SECRETREF_LOG_PACKAGES;
 * the packages outside it (pg, PGlite) are files under node_modules, logged by module hooks.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const HOOKS = join(ROOT, 'test', 'helpers', 'log-loads.mjs');
const HEAVY = ['yaml', 'nunjucks', 'zod', '@electric-sql/pglite', 'pg', 'jsep', '@lezer/python', 'lru-cache'];

/** The packages a run of the CLI with `args` loaded, Node.js's modules it loaded (`node:…`), and its exit code. */
async function packagesLoaded(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; packages: Set<string>; builtins: Set<string>; codeCache: string | undefined; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-loads-'));
  const files = join(dir, 'files.txt');
  const bundled = join(dir, 'bundled.txt');
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', HOOKS, BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, LOG_LOADS_TO: files, SECRETREF_LOG_PACKAGES: bundled, NO_COLOR: '1', ...env },
    }).then(
      (x) => ({ code: 0, stdout: x.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    const packages = new Set<string>();
    const builtins = new Set<string>();
    let codeCache: string | undefined;
    for (const line of readFileSync(bundled, 'utf8').split('\n').filter(Boolean)) {
      if (line.startsWith('code-cache:')) codeCache = line.slice('code-cache:'.length);
      else (line.startsWith('node:') ? builtins : packages).add(line);
    }
    const urls = readFileSync(files, 'utf8').split('\n');
    for (const url of urls) {
      const m = url.startsWith('file:') ? /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url) : null;
      if (m) packages.add(m[1] as string);
    }
    return { ...r, packages, builtins, codeCache, files: urls.filter((u) => u.startsWith('file:')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe('start-up loads only what the command needs', () => {
  it.each([['--version'], ['--help'], ['secrets', '--help'], ['render', '--help']])('%s %s loads no heavy library', async (...args) => {
    const r = await packagesLoaded(args.filter((a): a is string => typeof a === 'string'));
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.packages.has('commander')).toBe(true); // the log works: it saw the argv parser
    for (const p of HEAVY) expect([...r.packages], p).not.toContain(p);
  });

  it('lint --offline loads the parser but no database client', async () => {
    const r = await packagesLoaded(['lint', '--offline', 'fixtures/tools/stripe-create-charge.yaml']);
    expect(r.code).toBe(0);
    expect(r.packages.has('yaml')).toBe(true);
    expect(r.packages.has('@electric-sql/pglite')).toBe(false);
    expect(r.packages.has('pg')).toBe(false);
    // Neither the store's validator nor the Python grammar (a secretref-dialect file has no Python).
    expect(r.packages.has('zod')).toBe(false);
    expect(r.packages.has('@lezer/python')).toBe(false);
    // No glob matcher without an ignore file, and no node:v8 (it sets the WebAssembly compiler
    // for an embedded store, which an offline lint never opens).
    expect(r.packages.has('picomatch')).toBe(false);
    expect(r.builtins.has('node:v8')).toBe(false);
  });

  it('the built CLI starts from its code cache; under other V8 flags V8 refuses it and the output is the same', async () => {
    const args = ['lint', '--offline', '--format', 'json', 'fixtures/tools/stripe-create-charge.yaml'];
    const cached = await packagesLoaded(args);
    expect(cached.code).toBe(0);
    expect(cached.codeCache).toBe('used');
    const other = await packagesLoaded(args, { NODE_OPTIONS: '--max-old-space-size=1000' });
    expect(other.codeCache).toBe('rejected');
    expect(other.code).toBe(0);
    expect(other.stdout).toBe(cached.stdout);
  });

  it('the glob matcher loads when there is an ignore file, and applies it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-loads-ignore-'));
    try {
      writeFileSync(join(dir, 'tool.yaml'), 'url: https://api.example.com\nheaders:\n  Authorization: $secrets.StripeKey\n');
      writeFileSync(join(dir, 'ignore'), '*.yaml NAME_STYLE\n');
      const r = await packagesLoaded(['lint', '--offline', '--format', 'json', '--ignore-file', join(dir, 'ignore'), join(dir, 'tool.yaml')]);
      expect(r.code).toBe(0);
      expect(r.packages.has('picomatch')).toBe(true);
      const report = JSON.parse(r.stdout) as { diagnostics: unknown[]; suppressed: { code: string; suppression: { by: string } }[] };
      expect(report.diagnostics).toEqual([]);
      expect(report.suppressed.map((d) => [d.code, d.suppression.by])).toEqual([['NAME_STYLE', 'ignore-file']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Python grammar loads when a Julep expression is parsed', async () => {
    const r = await packagesLoaded(['lint', '--offline', '--dialect', 'julep', 'fixtures/tools/stripe-create-charge.yaml']);
    expect(r.packages.has('@lezer/python')).toBe(true);
    expect(r.packages.has('zod')).toBe(false);
  });

  it.each([
    ['in process (SECRETREF_AGENT=never)', 'never', '@electric-sql/pglite'],
    ['through the store agent', 'auto', 'pg'],
  ])('render on the embedded store, %s, loads no input validator (zod): a resolution reads by name', async (_, agent, client) => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-loads-store-'));
    const key = (await run(['keygen'])).stdout.trim();
    const env = { SECRETS_MASTER_KEY: key, SECRETREF_AGENT: agent };
    const db = ['--database-url', `file:${join(dir, 'db')}`];
    try {
      for (const name of ['stripe_api_key', 'stripe_idempotency_prefix']) await run([...db, 'secrets', 'create', name], env, `value-of-${name}-1234`);
      const r = await packagesLoaded([...db, 'render', 'fixtures/tools/stripe-create-charge.yaml'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('value-of-stripe_api_key-1234');
      expect(r.packages.has(client)).toBe(true); // the log works: it saw the store's client
      expect(r.packages.has('zod')).toBe(false);
      // Opening an embedded store, the CLI first sets V8's WebAssembly compiler (context.ts).
      expect(r.builtins.has('node:v8')).toBe(true);
      // A render decrypts: PGlite in this process loads pgcrypto. A list and a lint against the
      // store decrypt nothing and boot without it (the agent has its own).
      const pgcryptoModule = (x: { files: string[] }): boolean => x.files.some((u) => u.includes('/contrib/pgcrypto'));
      expect(pgcryptoModule(r)).toBe(agent === 'never');
      const listed = await packagesLoaded([...db, 'secrets', 'list'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('stripe_api_key');
      expect(pgcryptoModule(listed)).toBe(false);
      const linted = await packagesLoaded([...db, 'lint', 'fixtures/tools/stripe-create-charge.yaml'], env);
      expect(linted.code).toBe(0);
      expect(pgcryptoModule(linted)).toBe(false);
    } finally {
      if (agent === 'auto') await run([...db, 'agent', 'stop'], env);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Runs the built CLI with `stdin` as standard input (no load log). */
function run(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`secretref ${args.join(' ')} failed: ${stderr}`));
      else resolve({ stdout });
    });
    child.stdin?.end(stdin);
  });
}

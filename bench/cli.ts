/**
 * The command line as a user runs it: wall time of `secretref lint --offline FILE` and of
 * `secretref render FILE` on an embedded store, each a fresh `node dist/cli/main.js` process
 * (median of several runs), next to `node -e 0` (what any Node.js process costs here). For render,
 * one more fresh process times its phases — module loading, PGlite boot, migrations check,
 * resolve + render — so the report can say where the time goes.
 *
 *   node --import tsx bench/cli.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { keygen } from '../src/store/crypto-key.js';
import { openStore } from '../src/store/open.js';
import { findReferences } from '../src/syntax/index.js';
import { ensureBuilt } from '../test/helpers/build.js';
import { median, wallMs } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
export const LINT_FILE = 'fixtures/tools/stripe-create-charge.yaml';
const DEVELOPER = '00000000-0000-0000-0000-000000000000';

export interface CliFigures {
  runs: number;
  /** Median wall ms of `node -e 0`. */
  nodeBareMs: number;
  /** Median wall ms of `secretref lint --offline FILE`. */
  lintMs: number;
  /** Median wall ms of `secretref render FILE` (embedded store, secrets created first). */
  renderMs: number;
  /** Phases of one render, measured inside one fresh process (ms). */
  renderPhases: { importModules: number; pgliteBoot: number; migrationsCheck: number; openStoreShared: number; firstStoreQuery: number; render: number; close: number };
  /** Whether dist/ was rebuilt before measuring. */
  rebuilt: boolean;
}

export { ensureBuilt };

// Runs in a fresh process against dist/: the same modules the CLI loads, timed phase by phase.
const PHASES = `
const dist = process.argv[1];
const [dir, file] = process.argv.slice(2);
const t = [performance.now()];
const [{ openEmbedded }, { migrate }, { openStore }, { createResolver }, { render }, { readFileSync }, { findReferences }] = await Promise.all([
  import(dist + '/store/pglite.js'), import(dist + '/store/migrations.js'), import(dist + '/store/open.js'),
  import(dist + '/resolve/resolver.js'), import(dist + '/render/render.js'), import('node:fs'), import(dist + '/syntax/index.js'), import(dist + '/cli/run.js'),
]);
t.push(performance.now());
const driver = await openEmbedded({ kind: 'file', path: dir }, { queries: 0 }, 30000);
t.push(performance.now());
await migrate(driver, 'secretref');
t.push(performance.now());
const store = await openStore({ url: 'file:' + dir });
t.push(performance.now());
const resolver = createResolver(store, { developerId: '${DEVELOPER}' });
const source = readFileSync(file, 'utf8');
await resolver.resolve({ names: findReferences(source, { filename: file }).map((r) => r.name) });
t.push(performance.now());
const out = await render(source, { resolver, filename: file });
JSON.stringify(out.value, null, 2);
resolver.close();
t.push(performance.now());
await store.close();
await driver.close();
t.push(performance.now());
const d = t.slice(1).map((x, i) => x - t[i]);
process.stdout.write(JSON.stringify({ importModules: d[0], pgliteBoot: d[1], migrationsCheck: d[2], openStoreShared: d[3], firstStoreQuery: d[4], render: d[5], close: d[6] }));
`;

/** Runs the CLI measurements; `runs` timed processes per command after one warm-up each. */
export async function benchCli(runs = 7): Promise<CliFigures> {
  const rebuilt = ensureBuilt();
  const node = process.execPath;
  const env = { ...process.env, NO_COLOR: '1' };
  const times = (args: string[], opts: Parameters<typeof wallMs>[2] = {}): number => {
    wallMs(node, args, { cwd: ROOT, env, ...opts });
    return median(Array.from({ length: runs }, () => wallMs(node, args, { cwd: ROOT, env, ...opts })));
  };
  const nodeBareMs = times(['-e', '0']);
  const lintMs = times([MAIN, 'lint', '--offline', LINT_FILE]);

  // A store folder created beforehand, with the secrets the definition uses.
  const tmp = mkdtempSync(join(tmpdir(), 'secretref-bench-cli-'));
  try {
    const dir = join(tmp, 'db');
    const masterKey = keygen();
    const file = join(ROOT, LINT_FILE);
    const store = await openStore({ url: `file:${dir}`, masterKey });
    const scoped = store.scope(DEVELOPER);
    for (const name of new Set(findReferences(readFileSync(file, 'utf8'), { filename: file }).map((r) => r.name))) {
      await scoped.create({ name, value: `bench-${name}-${keygen().slice(0, 12)}` });
    }
    await store.close();
    const renderEnv = { ...env, SECRETS_MASTER_KEY: masterKey, SECRETREF_DEVELOPER_ID: DEVELOPER };
    const renderMs = times([MAIN, '--database-url', `file:${dir}`, 'render', relative(ROOT, file)], { env: renderEnv });
    const phaseRuns = Array.from({ length: 3 }, () => {
      const r = spawnSync(node, ['--input-type=module', '-e', PHASES, join(ROOT, 'dist'), dir, file], { cwd: ROOT, env: renderEnv, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`render phases failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as CliFigures['renderPhases'];
    });
    const pick = (k: keyof CliFigures['renderPhases']): number => median(phaseRuns.map((p) => p[k]));
    const renderPhases = {
      importModules: pick('importModules'),
      pgliteBoot: pick('pgliteBoot'),
      migrationsCheck: pick('migrationsCheck'),
      openStoreShared: pick('openStoreShared'),
      firstStoreQuery: pick('firstStoreQuery'),
      render: pick('render'),
      close: pick('close'),
    };
    return { runs, nodeBareMs, lintMs, renderMs, renderPhases, rebuilt };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchCli();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

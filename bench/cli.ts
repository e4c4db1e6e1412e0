/**
 * The command line as a user runs it: wall time of `secretref lint --offline FILE`, of the same
 * lint over a folder of 1,000 files and of `secretref render FILE` on an embedded store, each a
 * fresh `node dist/cli/main.js` process (median of several runs), next to `node -e 0` (what any
 * Node.js process costs here, measured in the same run: issue 17's targets are ratios to it), and
 * the peak RSS of a cold embedded render. For render, one more fresh process times its phases —
 * module loading, PGlite boot, migrations check, resolve + render — as the CLI boots PGlite
 * (baseline WebAssembly compiler, its start-up settings), so the report can say where the time goes.
 *
 *   node --import tsx bench/cli.ts
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI_EMBEDDED_SETTINGS } from '../src/cli/context.js';
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
  /** Rounds of `node -e 0`, `lint FILE` and `lint DIR`, run in turns. */
  lintRounds: number;
  /** Median wall ms of `node -e 0`. */
  nodeBareMs: number;
  /** Median wall ms of `secretref lint --offline FILE`. */
  lintMs: number;
  /** Median wall ms of `secretref lint --offline DIR`, DIR holding `manyFiles` definitions. */
  lintManyMs: number;
  manyFiles: number;
  /** Median wall ms of `secretref render FILE` (embedded store, secrets created first). */
  renderMs: number;
  /** Median wall ms of the same `render FILE` through a running store agent (docs/agent.md). */
  renderAgentMs: number;
  /** Median peak resident set size of that render process, MiB. */
  renderRssMiB: number;
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
const driver = await openEmbedded({ kind: 'file', path: dir }, { queries: 0 }, 30000, () => {}, { settings: JSON.parse(process.argv[4]) });
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

/**
 * Preloaded into a process: prints its peak resident set size (KiB) on stderr at exit. On Linux
 * from /proc/self/status (VmHWM belongs to the new address space), not getrusage: its maxrss
 * survives execve, so a child forked from this big benchmark process would report at least the
 * benchmark's own peak.
 */
const REPORT_RSS = `import { readFileSync } from 'node:fs';
process.on('exit', () => {
  let kib = process.resourceUsage().maxRSS;
  try { kib = Number(/^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  process.stderr.write('\\nsecretref-bench maxRSS ' + kib + '\\n');
});`;

/** Median wall ms of each command, run in turns (`rounds` each, after one warm-up round). */
function interleaved(commands: readonly string[][], rounds: number, opts: Parameters<typeof wallMs>[2]): number[] {
  const samples = commands.map(() => [] as number[]);
  for (let r = -1; r < rounds; r++) {
    commands.forEach((args, i) => {
      const ms = wallMs(process.execPath, args, opts);
      if (r >= 0) samples[i]?.push(ms);
    });
  }
  return samples.map(median);
}

/** Runs the CLI measurements; `runs` timed processes per command after one warm-up each. */
export async function benchCli(runs = 7): Promise<CliFigures> {
  const rebuilt = ensureBuilt();
  const node = process.execPath;
  const env = { ...process.env, NO_COLOR: '1' };
  const times = (args: string[], opts: Parameters<typeof wallMs>[2] = {}): number => {
    wallMs(node, args, { cwd: ROOT, env, ...opts });
    return median(Array.from({ length: runs }, () => wallMs(node, args, { cwd: ROOT, env, ...opts })));
  };
  const tmp = mkdtempSync(join(tmpdir(), 'secretref-bench-cli-'));
  try {
    // 1,000 definitions in one folder: the example tools, copied round-robin.
    const many = join(tmp, 'many');
    mkdirSync(many);
    const examples = readdirSync(join(ROOT, 'fixtures/tools')).filter((f) => /\.(ya?ml|json)$/.test(f));
    const manyFiles = 1000;
    for (let i = 0; i < manyFiles; i++) {
      const name = examples[i % examples.length] as string;
      copyFileSync(join(ROOT, 'fixtures/tools', name), join(many, `${String(i).padStart(4, '0')}-${name}`));
    }
    const lintRounds = runs + 4;
    // `node -e 0`, one lint and the 1,000-file lint take turns, so a machine that speeds up or
    // slows down during the run moves all three alike: their ratios are the figures.
    const [nodeBareMs, lintMs, lintManyMs] = interleaved(
      [['-e', '0'], [MAIN, 'lint', '--offline', LINT_FILE], [MAIN, 'lint', '--offline', '--fail-on', 'never', many]],
      lintRounds,
      { cwd: ROOT, env },
    ) as [number, number, number];

    // A store folder created beforehand, with the secrets the definition uses.
    const dir = join(tmp, 'db');
    const masterKey = keygen();
    const file = join(ROOT, LINT_FILE);
    const store = await openStore({ url: `file:${dir}`, masterKey, agent: 'never' });
    const scoped = store.scope(DEVELOPER);
    for (const name of new Set(findReferences(readFileSync(file, 'utf8'), { filename: file }).map((r) => r.name))) {
      await scoped.create({ name, value: `bench-${name}-${keygen().slice(0, 12)}` });
    }
    await store.close();
    // Cold: no agent, the process boots PGlite itself (SECRETREF_AGENT=never).
    const renderEnv = { ...env, SECRETS_MASTER_KEY: masterKey, SECRETREF_DEVELOPER_ID: DEVELOPER, SECRETREF_AGENT: 'never' };
    const renderArgs = [MAIN, '--database-url', `file:${dir}`, 'render', relative(ROOT, file)];
    const renderMs = times(renderArgs, { env: renderEnv });
    // Through a store agent started beforehand (the built one, as `secretref agent start` runs it).
    const agentEnv = { ...renderEnv, SECRETREF_AGENT: 'auto' };
    const started = spawnSync(node, [MAIN, '--database-url', `file:${dir}`, 'agent', 'start', '--idle-timeout', '10m'], { cwd: ROOT, env: agentEnv, encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`agent start failed: ${started.stderr}`);
    let renderAgentMs: number;
    try {
      renderAgentMs = times(renderArgs, { env: agentEnv });
    } finally {
      spawnSync(node, [MAIN, '--database-url', `file:${dir}`, 'agent', 'stop'], { cwd: ROOT, env: agentEnv, encoding: 'utf8' });
    }
    // Peak RSS of the same render: the process reports its own maximum at exit.
    const rss = Array.from({ length: 3 }, () => {
      const r = spawnSync(node, ['--import', `data:text/javascript,${encodeURIComponent(REPORT_RSS)}`, ...renderArgs], { cwd: ROOT, env: renderEnv, encoding: 'utf8' });
      const m = /^secretref-bench maxRSS (\d+)$/m.exec(r.stderr);
      if (r.status !== 0 || !m) throw new Error(`render for peak RSS failed: ${r.stderr.slice(0, 2000)}`);
      return Number(m[1]) / 1024;
    });
    const renderRssMiB = median(rss);
    const phaseRuns = Array.from({ length: 3 }, () => {
      const r = spawnSync(node, ['--liftoff-only', '--input-type=module', '-e', PHASES, join(ROOT, 'dist'), dir, file, JSON.stringify(CLI_EMBEDDED_SETTINGS)], { cwd: ROOT, env: renderEnv, encoding: 'utf8' });
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
    return { runs, lintRounds, nodeBareMs, lintMs, lintManyMs, manyFiles, renderMs, renderAgentMs, renderRssMiB, renderPhases, rebuilt };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchCli();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

/**
 * `secretref serve` as a runtime that is not Node uses it: warm `POST /render` latency over the
 * Unix socket (p50/p99, keep-alive connections) at 1, 8 and 32 concurrent clients, next to a
 * fresh `secretref render FILE` process on the same file and store (what a runtime pays per
 * tool call without the service), measured in the same run.
 *
 *   node --import tsx bench/serve.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { keygen } from '../src/store/crypto-key.js';
import { openStore } from '../src/store/open.js';
import { findReferences } from '../src/syntax/index.js';
import { ensureBuilt } from '../test/helpers/build.js';
import { LINT_FILE } from './cli.js';
import { median, wallMs } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const DEVELOPER = '00000000-0000-0000-0000-000000000000';

export interface ServeLevel {
  clients: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  rendersPerSecond: number;
}

export interface ServeFigures {
  file: string;
  levels: ServeLevel[];
  /** Median wall ms of a fresh `secretref render FILE` process on the same store. */
  cliRenderMs: number;
  cliRuns: number;
  /** Store queries the service's resolver made during the timed renders (0 when warm). */
  storeQueriesWhileWarm: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function post(agent: Agent, socketPath: string, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: path === '/healthz' ? 'GET' : 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(path === '/healthz' ? undefined : body);
  });
}

export async function benchServe(levels: readonly number[] = [1, 8, 32], cliRuns = 5): Promise<ServeFigures> {
  ensureBuilt();
  const tmp = mkdtempSync(join(tmpdir(), 'secretref-bench-serve-'));
  const file = join(ROOT, LINT_FILE);
  const source = readFileSync(file, 'utf8');
  const dir = join(tmp, 'db');
  const masterKey = keygen();
  // In-process stores, as before the store agent: the CLI baseline is a cold render, and the service holds the folder.
  const env = { ...process.env, NO_COLOR: '1', SECRETS_MASTER_KEY: masterKey, SECRETREF_DEVELOPER_ID: DEVELOPER, SECRETREF_DATABASE_URL: `file:${dir}`, SECRETREF_AGENT: 'never' };
  const store = await openStore({ url: `file:${dir}`, masterKey, agent: 'never' });
  for (const name of new Set(findReferences(source, { filename: file }).map((r) => r.name))) {
    await store.scope(DEVELOPER).create({ name, value: `bench-${name}-${keygen().slice(0, 12)}` });
  }
  await store.close();

  // The CLI first: the service holds the embedded store while it runs.
  const args = [MAIN, 'render', relative(ROOT, file)];
  wallMs(process.execPath, args, { cwd: ROOT, env });
  const cliRenderMs = median(Array.from({ length: cliRuns }, () => wallMs(process.execPath, args, { cwd: ROOT, env })));

  const socketPath = join(tmp, 'run', 'serve.sock');
  const child = spawn(process.execPath, [MAIN, 'serve', '--socket', socketPath], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      child.stderr.on('data', (c: Buffer) => {
        log += c.toString('utf8');
        if (log.includes('"msg":"listening"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log}`)));
    });
    const body = JSON.stringify({ definition: source, filename: LINT_FILE });
    const out: ServeLevel[] = [];
    let storeQueriesWhileWarm = 0;
    for (const clients of levels) {
      const agent = new Agent({ keepAlive: true, maxSockets: clients });
      for (let i = 0; i < 50; i++) {
        const r = await post(agent, socketPath, '/render', body);
        if (r.status !== 200) throw new Error(`render answered ${r.status}: ${r.text.slice(0, 200)}`);
      }
      const queries = async (): Promise<number> => (JSON.parse((await post(agent, socketPath, '/healthz', '')).text) as { resolver: { storeQueries: number } }).resolver.storeQueries;
      const before = await queries();
      const perClient = Math.max(50, Math.ceil(800 / clients));
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let i = 0; i < perClient; i++) {
            const t = performance.now();
            const r = await post(agent, socketPath, '/render', body);
            latencies.push(performance.now() - t);
            if (r.status !== 200) throw new Error(`render answered ${r.status}`);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      storeQueriesWhileWarm += (await queries()) - before;
      agent.destroy();
      latencies.sort((a, b) => a - b);
      out.push({ clients, requests: latencies.length, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), rendersPerSecond: latencies.length / elapsed });
    }
    return { file: LINT_FILE, levels: out, cliRenderMs, cliRuns, storeQueriesWhileWarm };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await benchServe(), null, 2)}\n`);
}

/**
 * The Python client of docs/examples (standard library only) as a runtime runs it: the built
 * `secretref serve` in a child process on an embedded store, `/usr/bin/python3` running the
 * example against it on a Unix socket and on loopback TCP with a bearer token (refused without
 * it), a tool call that succeeds and one whose error text quotes the secret — masked before it
 * is printed. No value reaches the service's log or the client's output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { BIN, runProcess, type ProcessResult } from '../helpers/run-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLIENT = join(ROOT, 'docs', 'examples', 'secretref_client.py');
const PYTHON = '/usr/bin/python3';
const API_KEY = 'sk_live_canary_Zq81"x\\y{{ z }}';
const TOKEN = 'serve-token-0123456789abcdefghijklmnopqrstuvwxyz';

const dir = mkdtempSync(join(tmpdir(), 'secretref-py-'));
const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, SECRETS_MASTER_KEY: '', SECRETREF_DATABASE_URL: `file:${join(dir, 'db')}` };
let upstream: Server;
let upstreamUrl = '';
let sawValue = 0;

function run(cmd: string, args: string[], input?: string): Promise<ProcessResult> {
  return runProcess(cmd, args, { cwd: dir, env, ...(input !== undefined ? { input } : {}) });
}

/** A running `secretref serve`; `log()` is everything it wrote on stderr. */
interface Service {
  child: ChildProcess;
  at: string;
  log(): string;
  stop(): Promise<number | null>;
}

async function startServe(args: string[], extraEnv: Record<string, string> = {}): Promise<Service> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: dir, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const at = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const m = /"msg":"listening","at":"([^"]+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
  });
  return {
    child,
    at,
    log: () => log,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

function definition(path: string): string {
  const file = join(dir, `${path.slice(1)}.yaml`);
  writeFileSync(
    file,
    `name: upstream_${path.slice(1)}
api_call:
  method: GET
  url: ${upstreamUrl}${path}
  headers:
    Authorization: Bearer {{ secrets.upstream_api_key }}
`,
  );
  return file;
}

function python(args: string[]): Promise<ProcessResult & { json: Record<string, unknown> }> {
  return run(PYTHON, [CLIENT, ...args]).then((r) => ({ ...r, json: JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown> }));
}

function expectNoValue(text: string): void {
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(JSON.stringify(API_KEY).slice(1, -1));
  expect(text).not.toContain('sk_live_canary');
}

beforeAll(async () => {
  expect(existsSync(PYTHON), `${PYTHON} is needed for this test`).toBe(true);
  ensureBuilt();
  env.SECRETS_MASTER_KEY = (await run(process.execPath, [BIN, 'keygen'])).stdout.trim();
  const created = await run(process.execPath, [BIN, 'secrets', 'create', 'upstream_api_key', '--description', 'upstream API'], API_KEY);
  expect(created.code, created.stderr).toBe(0);
  // The tool's upstream: /ok checks the header it got; /fail quotes it in its error, as many APIs do.
  upstream = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (auth === `Bearer ${API_KEY}`) sawValue++;
    if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ charged: true }));
    else res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `invalid api key: ${auth.slice(7)}` }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 240_000);

afterAll(async () => {
  await new Promise((r) => upstream?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('the Python client against secretref serve', () => {
  it('on the Unix socket: renders before executing, and masks the value in a failing call\'s error', async () => {
    const socket = join(dir, 'run', 'serve.sock');
    const service = await startServe(['--socket', socket]);
    try {
      expect(service.at).toBe(`unix:${socket}`);
      const before = sawValue;
      const ok = await python(['--socket', socket, definition('/ok')]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json).toEqual({ ok: true, status: 200, body: '{"charged":true}' });
      expect(sawValue).toBe(before + 1);

      const fail = await python(['--socket', socket, definition('/fail')]);
      expect(fail.code, fail.stderr).toBe(1);
      expect(fail.json.ok).toBe(false);
      expect(fail.json.error).toMatch(/^HTTP 401 from .*\/fail: .*invalid api key: \[REDACTED:upstream_api_key\]/);
      expect(sawValue).toBe(before + 2);
      expectNoValue(ok.stdout + ok.stderr + fail.stdout + fail.stderr);
    } finally {
      expect(await service.stop()).toBe(0);
    }
    expect(service.log()).toMatch(/"route":"\/render","status":200/);
    expect(service.log()).toMatch(/"route":"\/redact","status":200/);
    expectNoValue(service.log());
  }, 180_000);

  it('on loopback TCP with a token: served with it, refused without it', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const service = await startServe(['--port', '0'], { SECRETREF_SERVE_TOKEN: TOKEN });
    try {
      expect(service.at).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const withToken = await python(['--url', service.at, '--token-file', tokenFile, definition('/fail')]);
      expect(withToken.code, withToken.stderr).toBe(1);
      expect(withToken.json.error).toContain('[REDACTED:upstream_api_key]');

      const without = await python(['--url', service.at, definition('/ok')]);
      expect(without.code).toBe(2);
      expect(without.json).toMatchObject({ ok: false, refused: 'PERMISSION_DENIED', status: 401 });
      const raw = await new Promise<number>((resolve, reject) => {
        const req = request(`${service.at}/healthz`, (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        req.end();
      });
      expect(raw).toBe(401);
      expectNoValue(withToken.stdout + without.stdout);
    } finally {
      expect(await service.stop()).toBe(0);
    }
    expectNoValue(service.log());
    expect(service.log()).not.toContain(TOKEN);
  }, 180_000);

  it('refuses a non-loopback interface without --allow-non-loopback, and TCP without a token', async () => {
    const open = await run(process.execPath, [BIN, 'serve', '--port', '0', '--host', '0.0.0.0']);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/not a loopback address/);
    const tokenless = await run(process.execPath, [BIN, 'serve', '--port', '0']);
    expect(tokenless.code).toBe(1);
    expect(tokenless.stderr).toMatch(/needs a bearer token/);
  }, 60_000);
});

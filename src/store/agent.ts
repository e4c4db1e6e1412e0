/**
 * The client side of the local store agent (docs/agent.md): finds the agent of an embedded data
 * folder, starts one when none runs, and connects to it with `pg` over its Unix socket, so that
 * many processes share one embedded store instead of locking each other out.
 *
 * The agent (agent-main.ts) owns the folder (it holds the folder lock) and serves its one PGlite
 * session through @electric-sql/pglite-socket. Two sockets live inside the data folder (0700),
 * each 0600: `.s.PGSQL.5432` (the PostgreSQL protocol) and `.s.secretref-agent` (status, stop and
 * change notifications, one JSON object per line). The client keeps everything that needs the
 * master key: migrations, encryption and decryption run as today, from the client's statements,
 * with per-tenant keys derived here as parameters; the agent holds no key and logs no statement.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SecretrefError } from '../errors.js';
import type { Counter, Driver, ListenConnection } from './driver.js';
import { inspectModes } from './file-modes.js';
import { pidAlive, readHolder } from './lock.js';

/** The agent exits after this long without a client (`secretref agent start --idle-timeout`). */
export const AGENT_IDLE_TIMEOUT_MS = 60_000;
/** How long a client waits for an agent it started to answer. */
const AGENT_START_TIMEOUT_MS = 20_000;
/** sockaddr_un holds 108 bytes with the final NUL. */
const MAX_SOCKET_PATH = 107;
/** pg finds a Unix socket as `${host}/.s.PGSQL.${port}`. */
export const AGENT_PORT = 5432;

/** Whether a process opening a `file:` store uses the agent (OpenStoreOptions.agent, SECRETREF_AGENT). */
export type AgentMode = 'auto' | 'never';

export interface AgentPaths {
  folder: string;
  /** The PostgreSQL protocol socket. */
  pg: string;
  /** The control socket: status, stop, notifications. */
  control: string;
  /** The agent's log (start, stop, why it exited; never a statement). */
  log: string;
}

export function agentPaths(folder: string): AgentPaths {
  const f = resolve(folder);
  return { folder: f, pg: join(f, `.s.PGSQL.${AGENT_PORT}`), control: join(f, '.s.secretref-agent'), log: join(f, 'agent.log') };
}

/** `option`, else SECRETREF_AGENT, else `auto`; anything else is refused. */
export function agentMode(option: AgentMode | undefined, env: string | undefined = process.env.SECRETREF_AGENT): AgentMode {
  const v = option ?? (env === undefined || env === '' ? 'auto' : env);
  if (v !== 'auto' && v !== 'never') {
    throw new SecretrefError('INVALID_INPUT', 'agent (or SECRETREF_AGENT) must be "auto" or "never".', { path: '/agent' });
  }
  return v;
}

/** What `status` answers (and `secretref agent status --json` prints). */
export interface AgentStatus {
  pid: number;
  folder: string;
  socket: string;
  /** Octal permission bits of the PostgreSQL socket, e.g. "0600". */
  socketMode: string;
  startedAt: string;
  connections: number;
  subscribers: number;
  /** Store objects open through the agent (each holds a control connection). */
  holders: number;
  idleTimeoutMs: number;
  /** Milliseconds since the last client left (0 while one is connected). */
  idleForMs: number;
  settings: Record<string, string>;
}

/** The permission bits of a socket file as "0600", or null when it does not exist. */
export function socketMode(path: string): string | null {
  try {
    return `0${(lstatSync(path).mode & 0o777).toString(8)}`;
  } catch {
    return null;
  }
}

/**
 * Refuses a socket that is not ours or that others could connect to: whoever answers on it would
 * see every statement, the per-tenant keys among their parameters.
 */
export function checkSocket(path: string): void {
  const st = lstatSync(path);
  const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
  if (!st.isSocket() || !mine || (st.mode & 0o077) !== 0) {
    throw new SecretrefError('STORE_UNAVAILABLE', `The store agent's socket ${path} is not a socket of this user with mode 0600; stop whatever made it (secretref agent stop) and remove it.`);
  }
}

/** One request on the control socket; undefined when no agent answers there. */
export async function agentRequest(paths: AgentPaths, op: 'status' | 'stop', timeoutMs = 2_000): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(paths.control)) return undefined;
  checkSocket(paths.control);
  return await new Promise((done) => {
    const sock = connect(paths.control);
    let buf = '';
    const finish = (v: Record<string, unknown> | undefined): void => {
      clearTimeout(timer);
      sock.destroy();
      done(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined));
    sock.on('connect', () => sock.write(`${JSON.stringify({ op })}\n`));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      } catch {
        finish(undefined);
      }
    });
    sock.on('close', () => finish(undefined));
  });
}

/** The running agent of `folder`, or null. */
export async function agentStatus(folder: string): Promise<AgentStatus | null> {
  const s = await agentRequest(agentPaths(folder), 'status');
  return s && typeof s.pid === 'number' ? (s as unknown as AgentStatus) : null;
}

/** Asks the agent of `folder` to stop and waits until it has released the folder; its pid, or null when none ran. */
export async function stopAgent(folder: string, timeoutMs = 10_000): Promise<number | null> {
  const paths = agentPaths(folder);
  const status = await agentStatus(folder);
  if (!status) return null;
  await agentRequest(paths, 'stop');
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(status.pid) && readHolder(`${paths.folder}.lock`)?.pid === status.pid) {
    if (Date.now() > deadline) throw new SecretrefError('STORE_UNAVAILABLE', `The store agent (process ${status.pid}) did not stop within ${timeoutMs} ms.`);
    await sleep(25);
  }
  return status.pid;
}

/** How to run agent-main: the built file, or (tests, tsx) the source through tsx. */
function agentEntry(): { args: string[]; cwd: string } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.ts')) return { args: ['--import', 'tsx', join(dir, 'agent-main.ts')], cwd: resolve(dir, '../..') };
  // dist/store/agent.js, or the CLI bundle (dist/cli/bundle/cli.cjs).
  for (const candidate of [join(dir, 'agent-main.js'), resolve(dir, '../store/agent-main.js'), resolve(dir, '../../store/agent-main.js')]) {
    if (existsSync(candidate)) return { args: [candidate], cwd: '/' };
  }
  throw new SecretrefError('STORE_UNAVAILABLE', 'The store agent program (dist/store/agent-main.js) is missing from this installation.');
}

/** Why an agent could not be had: the folder's lock holder, when that is why. */
export interface AgentUnavailable {
  reason: string;
}

export interface StartOptions {
  idleTimeoutMs?: number;
  settings?: Readonly<Record<string, string>>;
}

/**
 * Starts a detached agent for `folder` and waits until it answers. Another agent starting at the
 * same time wins or loses the folder lock; either way the caller gets the one that runs.
 */
export async function startAgent(folder: string, opts: StartOptions = {}): Promise<AgentStatus | AgentUnavailable> {
  const paths = agentPaths(folder);
  for (const p of [paths.pg, paths.control]) {
    if (Buffer.byteLength(p) > MAX_SOCKET_PATH) return { reason: `the socket path ${p} is longer than ${MAX_SOCKET_PATH} bytes` };
  }
  const running = await agentStatus(folder);
  if (running) return running;
  mkdirSync(paths.folder, { recursive: true, mode: 0o700 });
  const entry = agentEntry();
  const args = [...entry.args, '--folder', paths.folder, '--idle-timeout-ms', String(opts.idleTimeoutMs ?? AGENT_IDLE_TIMEOUT_MS), '--settings', JSON.stringify(opts.settings ?? {})];
  // No master key, no inherited NODE_OPTIONS: the agent needs neither, and its environment is
  // readable by this user for as long as it runs.
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
  let exited: number | null | undefined;
  const launch = (): void => {
    exited = undefined;
    const log = openSync(paths.log, 'a', 0o600);
    try {
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], cwd: entry.cwd, env });
      child.on('exit', (code) => (exited = code));
      child.on('error', () => (exited = -1));
      child.unref();
    } finally {
      closeSync(log);
    }
  };
  launch();
  let launches = 1;
  const deadline = Date.now() + AGENT_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await agentStatus(folder);
    if (status) return status;
    if (exited !== undefined) {
      // Lost the folder lock: to another agent starting (wait for it) or stopping (start again
      // once it has gone), or to a process that opened the store itself (agent: 'never', or an
      // older secretref).
      const holder = readHolder(`${paths.folder}.lock`);
      const held = holder !== undefined && pidAlive(holder.pid);
      if (exited !== 3) return { reason: `the agent exited (code ${String(exited)}; see ${paths.log})` };
      if (held && !holder.agent) return { reason: `process ${holder.pid}${holder.command ? ` (${holder.command})` : ''} holds the store` };
      if (!held && launches < 3) {
        launches++;
        launch();
      }
    }
    await sleep(25);
  }
  return { reason: `the agent did not answer within ${AGENT_START_TIMEOUT_MS} ms (see ${paths.log})` };
}

/** A LISTEN through the agent's control socket (the agent's session listens for everyone). */
async function listenThroughAgent(paths: AgentPaths, counter: Counter): Promise<ListenConnection> {
  checkSocket(paths.control);
  counter.queries++;
  const sock: Socket = connect(paths.control);
  const callbacks: ((payload: string) => void)[] = [];
  let lost: (() => void) | undefined;
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    lost?.();
  };
  await new Promise<void>((ok, fail) => {
    let buf = '';
    let ready = false;
    sock.on('error', (e) => (ready ? fire() : fail(new SecretrefError('STORE_UNAVAILABLE', `The store agent does not answer on ${paths.control} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`))));
    sock.on('close', () => (ready ? fire() : fail(new SecretrefError('STORE_UNAVAILABLE', 'The store agent closed the notification connection.'))));
    sock.on('connect', () => sock.write(`${JSON.stringify({ op: 'listen' })}\n`));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: { listening?: boolean; n?: string };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          continue;
        }
        if (msg.listening === true && !ready) {
          ready = true;
          ok();
        } else if (typeof msg.n === 'string') {
          for (const cb of callbacks) cb(msg.n);
        }
      }
    });
  });
  return {
    inRecovery: false,
    onNotification: (cb) => void callbacks.push(cb),
    onLost: (cb) => void (lost = cb),
    async close() {
      fired = true;
      sock.destroy();
    },
  };
}

export interface AgentDriverOptions extends StartOptions {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  applicationName: string;
}

/**
 * A connection to the control socket for as long as a store object is open: the agent does not
 * count a client idle while it has one, whether or not its pool has a connection open (pg closes
 * idle ones). Unref-ed: an open store keeps no process alive.
 */
async function holdAgent(paths: AgentPaths): Promise<Socket> {
  checkSocket(paths.control);
  const sock = connect(paths.control);
  await new Promise<void>((ok, fail) => {
    sock.once('error', () => fail(new SecretrefError('STORE_UNAVAILABLE', `The store agent does not answer on ${paths.control}.`)));
    sock.once('connect', () => {
      sock.write(`${JSON.stringify({ op: 'hold' })}\n`);
      ok();
    });
  });
  sock.on('error', () => undefined);
  sock.unref();
  return sock;
}

/**
 * A driver for `folder` through its agent, started when none runs; the reason when none can be
 * had (the caller then opens the folder itself, under its lock). When the agent goes away while
 * the store is open (killed, stopped), the next statement starts a new one first: it never
 * repeats a statement that failed, whose outcome is unknown.
 */
export async function openAgentDriver(folder: string, counter: Counter, o: AgentDriverOptions): Promise<Driver | AgentUnavailable> {
  const paths = agentPaths(folder);
  const status = await startAgent(paths.folder, o);
  if ('reason' in status) return status;
  checkSocket(paths.pg);
  let hold = await holdAgent(paths);
  let lost = false;
  hold.once('close', () => (lost = true));
  let closed = false;
  const { openServer } = await import('./server.js');
  const url = `postgresql://postgres@localhost:${AGENT_PORT}/postgres?host=${encodeURIComponent(paths.folder)}`;
  // The agent runs one statement at a time: a second pooled connection lets a transaction's
  // COMMIT and the next read overlap their round trips, more would only queue at the agent.
  const server = openServer(url, counter, { connectTimeoutMs: o.connectTimeoutMs, statementTimeoutMs: o.statementTimeoutMs, poolSize: 2, applicationName: o.applicationName });
  let restarting: Promise<void> | undefined;
  const ensureAgent = async (): Promise<void> => {
    if (!lost || closed) return;
    restarting ??= (async () => {
      const again = await startAgent(paths.folder, o);
      if ('reason' in again) throw new SecretrefError('STORE_UNAVAILABLE', `The store agent for ${paths.folder} is gone and could not be restarted: ${again.reason}.`);
      hold = await holdAgent(paths);
      lost = false;
      hold.once('close', () => (lost = true));
    })().finally(() => (restarting = undefined));
    await restarting;
  };
  return {
    backend: 'embedded',
    viaAgent: true,
    dataFolder: { path: paths.folder, atOpen: inspectModes(paths.folder) },
    async query(sql, params) {
      await ensureAgent();
      return await server.query(sql, params);
    },
    async exec(sql) {
      await ensureAgent();
      await server.exec(sql);
    },
    async transaction(fn) {
      await ensureAgent();
      return await server.transaction(fn);
    },
    async notify(channel, payload) {
      await ensureAgent();
      await server.notify?.(channel, payload);
    },
    listen: async () => {
      await ensureAgent();
      return await listenThroughAgent(paths, counter);
    },
    async close() {
      closed = true;
      hold.destroy();
      await server.close();
    },
  };
}

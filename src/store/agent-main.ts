/**
 * The store agent process (docs/agent.md): owns one embedded data folder — it holds the folder
 * lock and the one PGlite instance — and serves it to the secretref processes of this user over
 * a Unix socket inside the folder, through @electric-sql/pglite-socket. Started detached by
 * agent.ts (`openStore` on a `file:` URL, `secretref agent start`); exits after its idle timeout
 * with no client, on `stop`, or on SIGTERM/SIGINT.
 *
 * It holds no master key (clients send per-tenant keys as statement parameters, as to a server)
 * and runs no migration (clients do, at open). It prints nothing but its lifecycle to its log:
 * pglite-socket's debug and inspect output (which would show statements) stay off.
 *
 * Not `--liftoff-only` like the CLI: the agent lives long enough for V8's optimising compiler to
 * pay back, so it runs PGlite's WebAssembly at full speed.
 *
 * Exit codes: 0 stopped, 3 the folder is held by another process, 1 anything else.
 */
import { appendFileSync, chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { SecretrefError } from '../errors.js';
import { agentPaths, socketMode, type AgentStatus } from './agent.js';
import { serialisedSession } from './agent-session.js';
import { tightenModes } from './file-modes.js';
import { boot, type Shared } from './pglite.js';
import { NOTIFY_CHANNEL } from './sql.js';

const { values } = parseArgs({
  options: { folder: { type: 'string' }, 'idle-timeout-ms': { type: 'string' }, settings: { type: 'string' } },
  strict: true,
});
const paths = agentPaths(String(values.folder));
const idleTimeoutMs = Number(values['idle-timeout-ms'] ?? 60_000);
const settings = JSON.parse(values.settings ?? '{}') as Record<string, string>;
const startedAt = new Date().toISOString();

function log(line: string): void {
  try {
    appendFileSync(paths.log, `${new Date().toISOString()} agent ${process.pid}: ${line}\n`, { mode: 0o600 });
  } catch {
    // the folder is gone: nothing to tell
  }
}

function removeSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}

// Sockets (and the log) are created owner-only; they are chmod-ed to 0600 as well below.
process.umask(0o077);

let shared: Shared;
try {
  shared = await boot({ kind: 'file', path: paths.folder }, 0, (message) => log(message), { settings }, { agent: true });
} catch (e) {
  log(`not started: ${e instanceof Error ? e.message : 'error'}`);
  process.exit(e instanceof SecretrefError && e.code === 'STORE_UNAVAILABLE' ? 3 : 1);
}
const { db } = shared;

// This process holds the lock: sockets left by an agent that was killed are stale.
removeSocket(paths.pg);
removeSocket(paths.control);

const subscribers = new Set<Socket>();
/** One control connection per store object open through the agent (agent.ts holdAgent). */
const holders = new Set<Socket>();
const session = serialisedSession(db, (channel, payload) => {
  if (channel !== NOTIFY_CHANNEL) return;
  const line = `${JSON.stringify({ n: payload })}\n`;
  for (const s of subscribers) s.write(line);
}, () => {
  log('PGlite failed; exiting so that the next client starts a new agent');
  void shutdown('PGlite failed', 1);
});
await db.exec(`listen ${NOTIFY_CHANNEL}`);

const server = new PGLiteSocketServer({ db: session as unknown as PGlite, path: paths.pg, maxConnections: 256 });
await server.start();
chmodSync(paths.pg, 0o600);

// The client that started the agent gets at least a few seconds to connect, whatever the timeout.
const START_GRACE_MS = 5_000;
let lastBusy = Date.now() + Math.max(0, START_GRACE_MS - idleTimeoutMs);
const busy = (): boolean => server.getStats().activeConnections + subscribers.size + holders.size > 0;
function status(): AgentStatus {
  const connections = server.getStats().activeConnections;
  return {
    pid: process.pid,
    folder: paths.folder,
    socket: paths.pg,
    socketMode: socketMode(paths.pg) ?? 'missing',
    startedAt,
    connections,
    subscribers: subscribers.size,
    holders: holders.size,
    idleTimeoutMs,
    idleForMs: busy() ? 0 : Math.max(0, Date.now() - lastBusy),
    settings,
  };
}

const control: Server = createServer((sock) => {
  let buf = '';
  const forget = (): void => {
    subscribers.delete(sock);
    holders.delete(sock);
  };
  sock.on('error', forget);
  sock.on('close', forget);
  sock.on('data', (d) => {
    buf += d.toString('utf8');
    const nl = buf.indexOf('\n');
    if (nl < 0) {
      if (buf.length > 1024) sock.destroy();
      return;
    }
    let op: unknown;
    try {
      op = (JSON.parse(buf.slice(0, nl)) as { op?: unknown }).op;
    } catch {
      op = undefined;
    }
    buf = '';
    if (op === 'status') sock.end(`${JSON.stringify(status())}\n`);
    else if (op === 'stop') {
      sock.end(`${JSON.stringify({ stopping: true, pid: process.pid })}\n`);
      void shutdown('stopped on request');
    } else if (op === 'hold') {
      holders.add(sock);
    } else if (op === 'listen') {
      subscribers.add(sock);
      sock.write(`${JSON.stringify({ listening: true })}\n`);
    } else sock.destroy();
  });
});
await new Promise<void>((ok, fail) => {
  control.once('error', fail);
  control.listen(paths.control, () => ok());
});
chmodSync(paths.control, 0o600);
log(`serving ${paths.folder} (idle timeout ${idleTimeoutMs} ms)`);

let stopping: Promise<void> | undefined;
function shutdown(why: string, code = 0): Promise<void> {
  stopping ??= (async () => {
    clearInterval(idle);
    for (const s of [...subscribers, ...holders]) s.destroy();
    control.close();
    await server.stop().catch(() => undefined);
    try {
      await db.close();
    } finally {
      tightenModes(paths.folder);
      removeSocket(paths.pg);
      removeSocket(paths.control);
      log(`exiting: ${why}`);
      // Last: whoever waits for the lock to go finds the folder as this agent left it.
      shared.lock?.release();
      process.exit(code);
    }
  })();
  return stopping;
}

const idle = setInterval(() => {
  if (busy()) lastBusy = Date.now();
  else if (Date.now() - lastBusy >= idleTimeoutMs) void shutdown(`idle for ${idleTimeoutMs} ms`);
}, Math.min(1_000, Math.max(50, idleTimeoutMs / 4)));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

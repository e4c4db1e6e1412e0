/**
 * Starts a throwaway PgBouncer (Debian's package, /usr/sbin/pgbouncer) in front of a test server:
 * a config in a temp dir, a free loopback port, no unix socket, run as the `postgres` user when we
 * are root (PgBouncer refuses root). Stock settings otherwise: in particular no
 * `ignore_startup_parameters`, so a client that sends `statement_timeout` at connect is refused
 * as it is in production.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asPostgresUser, freePort } from './pg-server.js';

export const DEFAULT_PGBOUNCER = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** The app role's URL through the pooler (same database as the server's `appUrl`). */
  appUrl: string;
  port: number;
  mode: 'transaction' | 'session';
  stop(): void;
}

export interface PgBouncerOptions {
  /** Port of the PostgreSQL server on 127.0.0.1. */
  serverPort: number;
  database: string;
  /** Login and password of the app role (as in the server's appUrl). */
  user: string;
  password: string;
  mode?: 'transaction' | 'session';
  /** Server connections per database/user pair (default_pool_size). */
  poolSize?: number;
  binary?: string;
}

/** Throws a clear error when PgBouncer is missing (never a silent skip). */
export function findPgBouncer(binary = process.env.SECRETREF_PGBOUNCER ?? DEFAULT_PGBOUNCER): string {
  if (!existsSync(binary)) {
    throw new Error(`PgBouncer not found: ${binary} is missing. Install it (apt-get install -y pgbouncer) or set SECRETREF_PGBOUNCER to its binary.`);
  }
  return binary;
}

/** Starts PgBouncer as a daemon; `stop()` (synchronous, safe at exit) ends it and removes its folder. */
export async function startPgBouncer(o: PgBouncerOptions): Promise<PgBouncer> {
  const binary = findPgBouncer(o.binary);
  const mode = o.mode ?? 'transaction';
  const dir = mkdtempSync(join(tmpdir(), 'secretref-pgbouncer-'));
  chmodSync(dir, 0o700);
  const port = await freePort();
  const pidFile = join(dir, 'pgbouncer.pid');
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'userlist.txt'), `"${o.user}" "${o.password}"\n`);
  writeFileSync(
    ini,
    [
      '[databases]',
      `${o.database} = host=127.0.0.1 port=${o.serverPort} dbname=${o.database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = md5',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      `pool_mode = ${mode}`,
      `default_pool_size = ${o.poolSize ?? 20}`,
      'max_client_conn = 500',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${pidFile}`,
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const f of [dir, ini, join(dir, 'userlist.txt')]) chownSync(f, uid, gid);
  }
  const [cmd, args] = asPostgresUser(binary, ['-d', '-q', ini]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`pgbouncer failed to start (exit ${r.status}): ${r.stderr || r.stdout}`);
  const pid = await waitForPid(pidFile);

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { appUrl: `postgres://${o.user}:${o.password}@127.0.0.1:${port}/${o.database}`, port, mode, stop };
}

async function waitForPid(file: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0) return pid;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pgbouncer wrote no pid file (${file}) within 5 s`);
}

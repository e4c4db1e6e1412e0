/**
 * Starts a throwaway PostgreSQL server for tests and benchmarks: initdb in a temp dir, a free
 * loopback port, a unix socket in the temp dir, run as the `postgres` user when we are root (the
 * server refuses root). Creates a non-superuser app role that owns a fresh database, so
 * row-level security really applies to the app's connections.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgServer {
  /** Non-superuser role owning `database`. */
  appUrl: string;
  /** Superuser on the same database. */
  adminUrl: string;
  port: number;
  dir: string;
  stop(): void;
}

export const DEFAULT_PG_BIN = '/usr/lib/postgresql/15/bin';

/** Throws a clear error when the PostgreSQL binaries are missing (never a silent skip). */
export function findPgBin(binDir = process.env.SECRETREF_PG_BIN ?? DEFAULT_PG_BIN): string {
  for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(binDir, tool))) {
      throw new Error(
        `PostgreSQL binaries not found: ${join(binDir, tool)} is missing. Install PostgreSQL 15 ` +
          `(apt-get install -y postgresql-15), set SECRETREF_PG_BIN to its bin folder, or set ` +
          `SECRETREF_TEST_DATABASE_URL to an existing server.`,
      );
    }
  }
  return binDir;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs `cmd` as the `postgres` user when we are root (PostgreSQL and PgBouncer refuse root). */
export function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Runs a PostgreSQL program (as the `postgres` user when we are root); throws with its output when it fails. */
export function runAsPostgres(cmd: string, args: string[]): void {
  const [c, a] = asPostgresUser(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args[0] ?? ''} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
}

/** A 0700 temp folder the `postgres` user owns (when we are root): a cluster's home. */
export function postgresTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

/**
 * Starts the cluster in `data` (socket in `dir`, log `dir/<log>`) with `opts` (postgres -c …),
 * and returns its stop: synchronous, idempotent, also run at process exit; it removes `dir`.
 */
export function startCluster(bin: string, data: string, dir: string, opts: readonly string[], log: string): () => void {
  runAsPostgres(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, log), '-w', '-t', '60', '-o', opts.join(' '), 'start']);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      runAsPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return stop;
}

/** Starts a server; call `stop()` (synchronous, also safe at process exit) when done. */
export async function startPgServer(opts: { binDir?: string; database?: string } = {}): Promise<PgServer> {
  const bin = findPgBin(opts.binDir);
  const database = opts.database ?? 'secretref_test';
  const dir = postgresTempDir('secretref-pg-');
  const data = join(dir, 'data');
  runAsPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
  const port = await freePort();
  const serverOpts = [
    `-p ${port}`,
    `-k ${dir}`,
    '-h 127.0.0.1',
    '-c fsync=off',
    // synchronous_commit stays on (as deployed): a commit's WAL is sent to the hot standby at once,
    // not at the WAL writer's next round; with fsync off it costs little.
    '-c full_page_writes=off',
    '-c max_connections=200',
  ];
  const stop = startCluster(bin, data, dir, serverOpts, 'server.log');

  try {
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query(`create role secretref_app login password 'secretref_app' nosuperuser nocreaterole`);
    await admin.query(`create database ${database} owner secretref_app`);
    await admin.end();
    // pgcrypto once per database, so parallel test files never race to create it.
    const db = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${database}` });
    await db.connect();
    await db.query('create extension if not exists pgcrypto');
    await db.end();
  } catch (e) {
    stop();
    throw e;
  }
  return {
    appUrl: `postgres://secretref_app:secretref_app@127.0.0.1:${port}/${database}`,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dir,
    stop,
  };
}

/**
 * Starts a streaming hot standby of a test server (test/setup/pg-server.ts): `pg_basebackup -R`
 * into a temp dir (as the `postgres` user when we are root), started on a free loopback port with
 * `hot_standby=on`, and waits until the primary reports it `streaming`. Fails loudly when it
 * cannot start: the replica half of the suite never skips.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { findPgBin, freePort, postgresTempDir, runAsPostgres, startCluster } from './pg-server.js';

export interface PgStandby {
  /** The app role on the standby (same database, same role as the primary's `appUrl`). */
  appUrl: string;
  /** A superuser on the standby (pg_wal_replay_pause and friends). */
  adminUrl: string;
  port: number;
  stop(): void;
}

/** `primary`: the server's port, app URL and a superuser URL on it. */
export async function startPgStandby(primary: { port: number; appUrl: string; adminUrl: string }, binDir?: string): Promise<PgStandby> {
  const bin = findPgBin(binDir);
  if (!existsSync(join(bin, 'pg_basebackup'))) throw new Error(`pg_basebackup not found in ${bin}: install PostgreSQL 15 (postgresql-15).`);
  const dir = postgresTempDir('secretref-standby-');
  const data = join(dir, 'data');
  runAsPostgres(join(bin, 'pg_basebackup'), ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres']);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    '-h 127.0.0.1',
    '-c hot_standby=on',
    '-c fsync=off',
    '-c full_page_writes=off',
    // A standby needs at least the primary's max_connections.
    '-c max_connections=200',
    '-c wal_receiver_status_interval=1s',
    // A query on the standby is never cancelled for replay: tests pause replay on purpose.
    '-c max_standby_streaming_delay=-1',
  ];
  const stop = startCluster(bin, data, dir, opts, 'standby.log');
  try {
    const admin = new pg.Client({ connectionString: primary.adminUrl });
    await admin.connect();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await admin.query<{ n: number }>(`select count(*)::integer as n from pg_stat_replication where state = 'streaming'`);
        if ((r.rows[0]?.n ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error('the hot standby did not reach state streaming within 30 s (see its standby.log)');
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      await admin.end();
    }
  } catch (e) {
    stop();
    throw e;
  }
  const swap = (url: string): string => {
    const u = new URL(url);
    u.port = String(port);
    return u.toString();
  };
  return { appUrl: swap(primary.appUrl), adminUrl: swap(primary.adminUrl), port, stop };
}

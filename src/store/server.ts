/**
 * Server backend: a `pg` pool with a connection timeout and a statement timeout, so an unreachable
 * or stuck server fails with STORE_UNAVAILABLE in bounded time. Idle-client errors are absorbed
 * (the pool replaces the client); every error leaves through wrapDbError.
 */
import pg from 'pg';
import { unavailable, wrapDbError } from './db-errors.js';
import type { Counter, Driver, ListenConnection, Queryable, Row } from './driver.js';

export interface ServerOptions {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  poolSize: number;
  /** Shown in pg_stat_activity (e.g. `secretref/<schema>`), so operators can tell stores apart. */
  applicationName: string;
}

function clientConfig(url: string, o: ServerOptions): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: o.connectTimeoutMs,
    statement_timeout: o.statementTimeoutMs,
    // Client-side bound too: a server that stops answering mid-query must not hang us.
    query_timeout: o.statementTimeoutMs + o.connectTimeoutMs,
    idle_in_transaction_session_timeout: Math.max(60_000, o.statementTimeoutMs * 2),
    application_name: o.applicationName.slice(0, 63),
    keepAlive: true,
  };
}

function queryable(c: pg.Pool | pg.PoolClient, counter: Counter): Queryable {
  return {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      counter.queries++;
      try {
        return (await c.query<R>(sql, params as unknown[])).rows;
      } catch (e) {
        throw wrapDbError(e, 'store query');
      }
    },
    async exec(sql: string): Promise<void> {
      counter.queries++;
      try {
        await c.query(sql);
      } catch (e) {
        throw wrapDbError(e, 'store script');
      }
    },
  };
}

/** Opens a pool for `url` (connections are made on first use). */
export function openServer(url: string, counter: Counter, o: ServerOptions): Driver {
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({ ...clientConfig(url, o), max: o.poolSize, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
  } catch {
    throw unavailable('The database URL could not be parsed (postgres://user:password@host:port/database).');
  }
  pool.on('error', () => {
    // An idle client lost its connection; the pool drops it and the next query reconnects.
  });
  let closed: Promise<void> | undefined;
  return {
    backend: 'server',
    ...queryable(pool, counter),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw wrapDbError(e, 'store connection');
      }
      // pg-pool drops its error listener while a client is checked out: a connection lost mid-
      // transaction would otherwise be an uncaught 'error' event. The running query rejects anyway.
      const onLost = (): void => undefined;
      client.on('error', onLost);
      const tx = queryable(client, counter);
      let broken: unknown;
      try {
        await tx.query('begin');
        const out = await fn(tx);
        await tx.query('commit');
        return out;
      } catch (e) {
        try {
          await tx.query('rollback');
        } catch (rollbackError) {
          broken = rollbackError;
        }
        throw wrapDbError(e, 'store transaction');
      } finally {
        client.removeListener('error', onLost);
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    async close(): Promise<void> {
      closed ??= pool.end();
      await closed;
    },
    async listen(channel: string): Promise<ListenConnection> {
      const client = new pg.Client(clientConfig(url, o));
      let lost: (() => void) | undefined;
      let fired = false;
      const fire = (): void => {
        if (fired) return;
        fired = true;
        lost?.();
      };
      client.on('error', fire);
      client.on('end', fire);
      try {
        await client.connect();
        counter.queries++;
        await client.query(`listen ${channel}`);
      } catch (e) {
        fired = true;
        client.end().catch(() => undefined);
        throw wrapDbError(e, 'listen for changes');
      }
      return {
        onNotification(cb) {
          client.on('notification', (m) => {
            if (m.channel === channel && m.payload !== undefined) cb(m.payload);
          });
        },
        onLost(cb) {
          lost = cb;
        },
        async close() {
          fired = true;
          await client.end().catch(() => undefined);
        },
      };
    },
  };
}

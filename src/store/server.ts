/**
 * Server backend: a `pg` pool with a connection timeout, and a statement timeout set with
 * `SET LOCAL` inside every transaction it opens (reads run in one too), so an unreachable or stuck
 * server fails with STORE_UNAVAILABLE in bounded time. No startup parameters beyond
 * `application_name`: a transaction pooler (PgBouncer) refuses `statement_timeout` and friends at
 * connect, and a session-level SET would stay behind on a pooled server connection. Idle-client
 * errors are absorbed (the pool replaces the client); every error leaves through wrapDbError.
 */
import pg from 'pg';
import { errorSqlState, unavailable, wrapDbError } from './db-errors.js';
import type { Counter, Driver, ListenConnection, Queryable, Row } from './driver.js';

export interface ServerOptions {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  poolSize: number;
  /** Shown in pg_stat_activity (e.g. `secretref/<schema>`), so operators can tell stores apart. */
  applicationName: string;
  /** Where the LISTEN connection goes (default: the pool's URL). */
  notifyUrl?: string;
}

function clientConfig(url: string, o: ServerOptions): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: o.connectTimeoutMs,
    // Client-side bound too: a server that stops answering mid-query must not hang us.
    query_timeout: o.statementTimeoutMs + o.connectTimeoutMs,
    application_name: o.applicationName.slice(0, 63),
    keepAlive: true,
  };
}

/**
 * Opens a transaction with the store's timeouts, in one round trip (a simple-protocol script).
 * SET LOCAL ends with the transaction, so nothing is left on a connection a pooler hands on.
 */
export function beginWithTimeouts(o: Pick<ServerOptions, 'statementTimeoutMs'>): string {
  const statement = Math.trunc(o.statementTimeoutMs);
  const idle = Math.max(60_000, statement * 2);
  return `begin; set local statement_timeout = ${statement}; set local idle_in_transaction_session_timeout = ${idle}`;
}

function queryable(c: pg.PoolClient, counter: Counter): Queryable {
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

/** Clients that have their no-op 'error' listener (see `begun`). */
const guarded = new WeakSet<pg.PoolClient | pg.Client>();
const ignoreError = (): void => undefined;
function guard(client: pg.PoolClient | pg.Client): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on('error', ignoreError);
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
  // At once on every checkout ('acquire' comes just before pg-pool takes its own listener off): a
  // FATAL from a killed backend can arrive in the same read as the end of the handshake, before the
  // caller has the client.
  pool.on('acquire', (client) => guard(client));
  const begin = beginWithTimeouts(o);
  /** BEGIN (with the timeouts) … COMMIT on one pooled connection; `counted`: BEGIN/COMMIT count as round trips. */
  /**
   * A pooled client with BEGIN (and the timeouts) sent. An idle client whose connection died
   * unnoticed (a network blip, a restarted pooler) fails its BEGIN without a SQLSTATE: nothing has
   * run on it yet, so it is dropped and a fresh connection tried, once.
   */
  async function begun(counted: boolean): Promise<pg.PoolClient> {
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw wrapDbError(e, 'store connection');
      }
      // pg-pool drops its error listener while a client is checked out, and a client it ends
      // (released broken, the pool closing, an idle timeout) can still get a FATAL from a killed
      // backend: without a listener of its own that is an uncaught 'error' event. Each client gets
      // one no-op listener for its whole life; a running query rejects anyway.
      guard(client);
      try {
        if (counted) counter.queries++;
        await client.query(begin);
        return client;
      } catch (e) {
        const state = errorSqlState(e);
        const stale = state === undefined || state.startsWith('08') || state.startsWith('57P');
        client.release(new Error('connection unusable'));
        if (!stale || attempt >= 1) throw wrapDbError(e, 'store connection');
      }
    }
  }

  /** BEGIN (with the timeouts) … COMMIT on one pooled connection; `counted`: BEGIN/COMMIT count as round trips. */
  async function inTransaction<T>(fn: (tx: Queryable) => Promise<T>, counted: boolean, what: string, count: Counter = counter): Promise<T> {
    const client = await begun(counted);
    const tx = queryable(client, count);
    const control = async (sql: string): Promise<void> => {
      if (counted) counter.queries++;
      await client.query(sql);
    };
    let broken: unknown;
    try {
      const out = await fn(tx);
      await control('commit');
      return out;
    } catch (e) {
      // Only a connection that answered with an error is still in step: after a timeout, a lost
      // connection or a FATAL, a ROLLBACK could be answered out of order. Such a client is dropped.
      const state = errorSqlState(e);
      if (state === undefined || state.startsWith('08') || state.startsWith('57P')) broken = new Error('connection unusable');
      else {
        try {
          await control('rollback');
        } catch (rollbackError) {
          broken = rollbackError;
        }
      }
      throw wrapDbError(e, what);
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }
  let closed: Promise<void> | undefined;
  return {
    backend: 'server',
    // One statement outside a transaction of the caller's: in a transaction of its own, so that
    // the statement timeout holds through a pooler too. Its BEGIN/COMMIT are not counted.
    async query<R extends Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      return await inTransaction((tx) => tx.query<R>(sql, params), false, 'store query');
    },
    async exec(sql: string): Promise<void> {
      await inTransaction((tx) => tx.exec(sql), false, 'store script');
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return await inTransaction(fn, true, 'store transaction');
    },
    async notify(channel: string, payload: string): Promise<void> {
      await inTransaction((tx) => tx.query('select pg_notify($1, $2)', [channel, payload]), false, 'probe notification', { queries: 0 });
    },
    async close(): Promise<void> {
      closed ??= pool.end();
      await closed;
    },
    async listen(channel: string): Promise<ListenConnection> {
      const client = new pg.Client(clientConfig(o.notifyUrl ?? url, o));
      let lost: (() => void) | undefined;
      let fired = false;
      const fire = (): void => {
        if (fired) return;
        fired = true;
        lost?.();
      };
      client.on('error', fire);
      client.on('end', fire);
      let inRecovery = false;
      try {
        await client.connect();
        counter.queries++;
        inRecovery = (await client.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0]?.r === true;
        if (!inRecovery) await client.query(`listen ${channel}`);
      } catch (e) {
        fired = true;
        client.end().catch(() => undefined);
        throw wrapDbError(e, 'listen for changes');
      }
      return {
        inRecovery,
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

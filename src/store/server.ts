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
import { WAL_POSITION } from './sql.js';
import type { Counter, Driver, ListenConnection, Queryable, ReadPosition, Row } from './driver.js';

export interface ServerOptions {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  poolSize: number;
  /** Shown in pg_stat_activity (e.g. `secretref/<schema>`), so operators can tell stores apart. */
  applicationName: string;
  /** Where the LISTEN connection goes (default: the pool's URL). */
  notifyUrl?: string;
  /**
   * Told the primary's WAL insert position after every transaction this pool commits (asked in
   * the COMMIT's own round trip): with `readUrl`, reads wait for the standby to replay that far.
   */
  onCommit?: (lsn: string) => void;
}

/** Where a read transaction's server stands (`readTransaction`, asked in the BEGIN's round trip). */
export const READ_POSITION = `select pg_is_in_recovery() as recovery, pg_last_wal_replay_lsn()::text as lsn`;

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

/** COMMIT and, in the same round trip, the WAL position every later replay must reach. */
const COMMIT_AT = `commit; ${WAL_POSITION}`;

/** The rows of the last statement of a simple-protocol script (pg returns one result per statement). */
function lastRows<R>(result: unknown): R[] {
  const last: unknown = Array.isArray(result) ? result[result.length - 1] : result;
  return ((last as { rows?: R[] } | undefined)?.rows ?? []);
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
  async function begun(counted: boolean, script = begin): Promise<{ client: pg.PoolClient; result: unknown }> {
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
        const result: unknown = await client.query(script);
        return { client, result };
      } catch (e) {
        const state = errorSqlState(e);
        const stale = state === undefined || state.startsWith('08') || state.startsWith('57P');
        client.release(new Error('connection unusable'));
        if (!stale || attempt >= 1) throw wrapDbError(e, 'store connection');
      }
    }
  }

  /** BEGIN (with the timeouts) … COMMIT on one pooled connection; `counted`: BEGIN/COMMIT count as round trips. */
  async function inTransaction<T>(
    fn: (tx: Queryable, opened: unknown) => Promise<T>,
    counted: boolean,
    what: string,
    count: Counter = counter,
    script = begin,
  ): Promise<T> {
    const { client, result: opened } = await begun(counted, script);
    const tx = queryable(client, count);
    const control = async (sql: string): Promise<void> => {
      if (counted) counter.queries++;
      await client.query(sql);
    };
    let broken: unknown;
    try {
      const out = await fn(tx, opened);
      if (o.onCommit === undefined) await control('commit');
      else {
        if (counted) counter.queries++;
        const lsn = lastRows<{ lsn: string }>(await client.query(COMMIT_AT))[0]?.lsn;
        if (lsn) o.onCommit(lsn);
      }
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
    async readTransaction<T>(fn: (tx: Queryable, at: ReadPosition) => Promise<T>): Promise<T> {
      return await inTransaction(
        (tx, opened) => {
          const r = lastRows<{ recovery: boolean; lsn: string | null }>(opened)[0];
          return fn(tx, { recovery: r?.recovery === true, lsn: r?.lsn ?? null });
        },
        false,
        'store query',
        counter,
        `${begin}; ${READ_POSITION}`,
      );
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
        async walLsn() {
          const r = await client.query<{ lsn: string }>(WAL_POSITION);
          return r.rows[0]?.lsn ?? null;
        },
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

/**
 * The two backends behind one tiny interface: run a parameterised statement, run a transaction.
 * Both count round trips into the same counter so `store.stats()` is comparable across backends.
 */

import type { ModeReport } from './file-modes.js';

export type Row = Record<string, unknown>;

/** Something that runs one statement per call (a pool, a PGlite instance, a transaction). */
export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Driver extends Queryable {
  readonly backend: 'embedded' | 'server';
  /** BEGIN … COMMIT on one connection; ROLLBACK when `fn` throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Embedded on disk only: the data folder, and its modes as this process found them before tightening them. */
  readonly dataFolder?: { readonly path: string; readonly atOpen: ModeReport };
  /** Embedded through the store agent: other processes write the same store (src/store/agent.ts). */
  readonly viaAgent?: boolean;
  /** Server only: a dedicated connection LISTENing on `channel`. */
  listen?(channel: string): Promise<ListenConnection>;
  /**
   * Server only: one read transaction, told whether its server is a standby and how far it has
   * replayed (asked in the BEGIN's round trip; the statements of `fn` see at least that much).
   */
  readTransaction?<T>(fn: (tx: Queryable, at: ReadPosition) => Promise<T>): Promise<T>;
  /** Server only: sends one notification through the pool, outside the round-trip counter (the change hub's probe). */
  notify?(channel: string, payload: string): Promise<void>;
}

/** Where a read transaction's server stands. */
export interface ReadPosition {
  /** The server is a standby (pg_is_in_recovery()). */
  recovery: boolean;
  /** pg_last_wal_replay_lsn() (`X/Y`); null on a primary. */
  lsn: string | null;
}

/** A dedicated notification connection. `onLost` fires once when it drops. */
export interface ListenConnection {
  /** The server is a standby (pg_is_in_recovery()): LISTEN was not sent. */
  readonly inRecovery: boolean;
  /** The server's WAL insert position now (`X/Y`): every commit notified so far lies before it. */
  walLsn?(): Promise<string | null>;
  onNotification(cb: (payload: string) => void): void;
  onLost(cb: () => void): void;
  close(): Promise<void>;
}

/** Round-trip counter shared by a store's driver and its listener. */
export interface Counter {
  queries: number;
}

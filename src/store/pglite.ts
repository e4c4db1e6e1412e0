/**
 * Embedded backend: PGlite with pgcrypto, on disk (`file:PATH`) or in memory. One PGlite instance
 * per data folder per process, shared by every store object opened on it (reference counted), and
 * an exclusive folder lock against other processes. PGlite is imported lazily so a server-backed
 * process never loads the WebAssembly build.
 */
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { wrapDbError } from './db-errors.js';
import type { Counter, Driver, Queryable, Row } from './driver.js';
import { acquireFolderLock, type FolderLock } from './lock.js';

export type EmbeddedLocation = { kind: 'file'; path: string } | { kind: 'memory'; name: string | undefined };

interface Shared {
  db: PGlite;
  lock: FolderLock | undefined;
  refs: number;
}

const instances = new Map<string, Promise<Shared>>();

async function boot(loc: EmbeddedLocation, lockTimeoutMs: number): Promise<Shared> {
  // Load the WebAssembly build while waiting for the lock: importing touches no data folder.
  const modules = Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pgcrypto')]);
  modules.catch(() => undefined);
  const lock = loc.kind === 'file' ? await acquireFolderLock(loc.path, lockTimeoutMs) : undefined;
  try {
    const [{ PGlite }, { pgcrypto }] = await modules;
    const db = await PGlite.create({
      ...(loc.kind === 'file' ? { dataDir: loc.path } : {}),
      extensions: { pgcrypto },
    });
    return { db, lock, refs: 0 };
  } catch (e) {
    lock?.release();
    throw wrapDbError(e, 'open the embedded store');
  }
}

function keyOf(loc: EmbeddedLocation): string | undefined {
  if (loc.kind === 'file') return `file:${loc.path}`;
  return loc.name === undefined ? undefined : `memory:${loc.name}`;
}

function queryable(q: Pick<PGlite, 'query' | 'exec'>, counter: Counter): Queryable {
  return {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      counter.queries++;
      try {
        return (await q.query<R>(sql, params as unknown[])).rows;
      } catch (e) {
        throw wrapDbError(e, 'embedded store query');
      }
    },
    async exec(sql: string): Promise<void> {
      counter.queries++;
      try {
        await q.exec(sql);
      } catch (e) {
        throw wrapDbError(e, 'embedded store script');
      }
    },
  };
}

/** Opens (or joins, within this process) the embedded database at `loc`. */
export async function openEmbedded(loc: EmbeddedLocation, counter: Counter, lockTimeoutMs: number): Promise<Driver> {
  const normalized: EmbeddedLocation = loc.kind === 'file' ? { kind: 'file', path: resolve(loc.path) } : loc;
  const key = keyOf(normalized);
  let pending = key === undefined ? undefined : instances.get(key);
  if (pending === undefined) {
    pending = boot(normalized, lockTimeoutMs);
    if (key !== undefined) {
      instances.set(key, pending);
      pending.catch(() => instances.delete(key));
    }
  }
  const shared = await pending;
  shared.refs++;
  const { db } = shared;
  const base = queryable(db, counter);
  let closed = false;
  return {
    backend: 'embedded',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      counter.queries += 2; // BEGIN, COMMIT
      try {
        return await db.transaction(async (tx) => await fn(queryable(tx, counter)));
      } catch (e) {
        throw wrapDbError(e, 'embedded store transaction');
      }
    },
    async listen(channel: string) {
      const callbacks: ((payload: string) => void)[] = [];
      counter.queries++;
      const unlisten = await db.listen(channel, (payload) => callbacks.forEach((cb) => cb(payload)));
      return {
        onNotification(cb: (payload: string) => void) {
          callbacks.push(cb);
        },
        onLost() {
          // an in-process database never drops its notifications
        },
        async close() {
          if (!db.closed) await unlisten().catch(() => undefined);
        },
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (--shared.refs > 0) return;
      if (key !== undefined) instances.delete(key);
      try {
        await db.close();
      } finally {
        shared.lock?.release();
      }
    },
  };
}

/** Internal (tests, diagnostics): the PGlite instance this process has open on `path`, if any. */
export async function openedEmbedded(path: string): Promise<PGlite | undefined> {
  return (await instances.get(`file:${resolve(path)}`))?.db;
}

/**
 * Embedded backend: PGlite with pgcrypto, on disk (`file:PATH`) or in memory. One PGlite instance
 * per data folder per process, shared by every store object opened on it (reference counted), and
 * an exclusive folder lock against other processes. PGlite is imported lazily so a server-backed
 * process never loads the WebAssembly build.
 */
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { SecretrefError } from '../errors.js';
import { errorSqlState, wrapDbError } from './db-errors.js';
import type { Counter, Driver, Queryable, Row } from './driver.js';
import { describeTightening, prepareFolder, tightenModes, type ModeReport } from './file-modes.js';
import { acquireFolderLock, type FolderLock } from './lock.js';

export type EmbeddedLocation = { kind: 'file'; path: string } | { kind: 'memory'; name: string | undefined };

export interface Shared {
  db: PGlite;
  lock: FolderLock | undefined;
  refs: number;
  /** The data folder's modes as boot found them, before tightening (file stores only). */
  modesAtOpen: ModeReport | undefined;
  /** Whether pgcrypto's module was loaded (BootOptions.pgcrypto). */
  pgcrypto: boolean;
}

const instances = new Map<string, Promise<Shared>>();

/** Says what the store fixed on its own (see OpenStoreOptions.onWarning). */
export type Warn = (message: string, code: string) => void;

/** How a process boots its embedded instance (OpenStoreOptions.embedded). */
export interface BootOptions {
  settings?: Readonly<Record<string, string>>;
  /**
   * False: boot without pgcrypto's module (about 120 ms of a boot), for a process that only
   * describes and lists (their row check is core sha256(), migration 10). A schema that is not
   * current, or a read or write that encrypts or decrypts, needs it: openStore boots with it then.
   */
  pgcrypto?: boolean;
}

/** `-c name=value` pairs for PostgreSQL's start; a name or value that is not plain is refused. */
function startSettings(settings: Readonly<Record<string, string>>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => {
    if (!/^[a-z][a-z0-9_]*$/.test(name) || !/^[A-Za-z0-9._-]+$/.test(value)) {
      throw new SecretrefError('INVALID_INPUT', `embedded.settings: "${name}" is not a setting name of lower-case letters and _ with a plain value.`, { path: '/embedded/settings' });
    }
    return ['-c', `${name}=${value}`];
  });
}

/** Boots PGlite on `loc` under the folder lock (the store agent boots its instance with it). */
export async function boot(loc: EmbeddedLocation, lockTimeoutMs: number, warn: Warn, options: BootOptions, as: { agent?: boolean } = {}): Promise<Shared> {
  const settings = startSettings(options.settings ?? {});
  // Load the WebAssembly build while waiting for the lock: importing touches no data folder.
  const crypto = options.pgcrypto !== false;
  const modules = Promise.all([import('@electric-sql/pglite'), crypto ? import('@electric-sql/pglite/contrib/pgcrypto') : undefined]);
  modules.catch(() => undefined);
  const lock = loc.kind === 'file' ? await acquireFolderLock(loc.path, lockTimeoutMs, as) : undefined;
  try {
    let modesAtOpen: ModeReport | undefined;
    if (loc.kind === 'file') {
      // 0700 before PGlite writes a byte: what it creates inside is then out of others' reach.
      const existed = prepareFolder(loc.path);
      modesAtOpen = tightenModes(loc.path);
      if (!existed) modesAtOpen = { ...modesAtOpen, looseFolders: 0, looseFiles: 0, exposed: false };
      else if (modesAtOpen.exposed) warn(describeTightening(loc.path, modesAtOpen), 'SECRETREF_STORE_MODES');
    }
    const [{ PGlite }, contrib] = await modules;
    const db = await PGlite.create({
      ...(loc.kind === 'file' ? { dataDir: loc.path } : {}),
      extensions: contrib ? { pgcrypto: contrib.pgcrypto } : {},
      ...(settings.length > 0 ? { startParams: [...PGlite.defaultStartParams, ...settings] } : {}),
    });
    // initdb (a new store) and recovery create files 0666 less the umask.
    if (loc.kind === 'file') tightenModes(loc.path);
    return { db, lock, refs: 0, modesAtOpen, pgcrypto: crypto };
  } catch (e) {
    lock?.release();
    throw wrapDbError(e, 'open the embedded store');
  }
}

function keyOf(loc: EmbeddedLocation): string | undefined {
  if (loc.kind === 'file') return `file:${loc.path}`;
  return loc.name === undefined ? undefined : `memory:${loc.name}`;
}

function queryable(q: Pick<PGlite, 'query' | 'exec'>, counter: Counter, pgcrypto: boolean): Queryable {
  // Booted without pgcrypto (BootOptions.pgcrypto), a statement that needs it cannot load it (58P01).
  const wrap = (e: unknown, what: string): unknown =>
    !pgcrypto && errorSqlState(e) === '58P01'
      ? new SecretrefError('STORE_UNAVAILABLE', 'This store was opened for descriptions only (embedded.pgcrypto: false): reading or writing a value needs pgcrypto; open it without that option.')
      : wrapDbError(e, what);
  return {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      counter.queries++;
      try {
        return (await q.query<R>(sql, params as unknown[])).rows;
      } catch (e) {
        throw wrap(e, 'embedded store query');
      }
    },
    async exec(sql: string): Promise<void> {
      counter.queries++;
      try {
        await q.exec(sql);
      } catch (e) {
        throw wrap(e, 'embedded store script');
      }
    },
  };
}

/** Opens (or joins, within this process) the embedded database at `loc`. */
export async function openEmbedded(loc: EmbeddedLocation, counter: Counter, lockTimeoutMs: number, warn: Warn, options: BootOptions = {}): Promise<Driver> {
  const normalized: EmbeddedLocation = loc.kind === 'file' ? { kind: 'file', path: resolve(loc.path) } : loc;
  const key = keyOf(normalized);
  let pending = key === undefined ? undefined : instances.get(key);
  if (pending === undefined) {
    pending = boot(normalized, lockTimeoutMs, warn, options);
    if (key !== undefined) {
      instances.set(key, pending);
      pending.catch(() => instances.delete(key));
    }
  }
  const shared = await pending;
  if (!shared.pgcrypto && options.pgcrypto !== false) {
    throw new SecretrefError('STORE_UNAVAILABLE', 'This process has the embedded store open without pgcrypto (descriptions only); close that store before opening one that reads values.');
  }
  shared.refs++;
  const { db } = shared;
  const base = queryable(db, counter, shared.pgcrypto);
  let closed = false;
  return {
    backend: 'embedded',
    ...base,
    ...(normalized.kind === 'file' && shared.modesAtOpen ? { dataFolder: { path: normalized.path, atOpen: shared.modesAtOpen } } : {}),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      counter.queries += 2; // BEGIN, COMMIT
      try {
        return await db.transaction(async (tx) => await fn(queryable(tx, counter, shared.pgcrypto)));
      } catch (e) {
        throw wrapDbError(e, 'embedded store transaction');
      }
    },
    async listen(channel: string) {
      const callbacks: ((payload: string) => void)[] = [];
      counter.queries++;
      const unlisten = await db.listen(channel, (payload) => callbacks.forEach((cb) => cb(payload)));
      return {
        inRecovery: false,
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
        // Files PGlite created while open (new tables, WAL segments) are 0666 less the umask.
        if (normalized.kind === 'file') tightenModes(normalized.path);
        shared.lock?.release();
      }
    },
  };
}

/** Internal (tests, diagnostics): the PGlite instance this process has open on `path`, if any. */
export async function openedEmbedded(path: string): Promise<PGlite | undefined> {
  return (await instances.get(`file:${resolve(path)}`))?.db;
}

/**
 * Runs one integration suite against the backends: embedded PGlite (a per-file copy of the
 * template folder, one shared instance), the PostgreSQL server from the global setup, and (for
 * the suites that ask for it) that server through a stock PgBouncer in transaction mode, with
 * `notifyUrl` pointing at the server directly. Every `open()` gets a fresh schema, so tests never
 * see each other's rows.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import { openedEmbedded } from '../../src/store/pglite.js';
import { WAL_POSITION } from '../../src/store/sql.js';
import type { OpenStoreOptions, Store } from '../../src/store/types.js';

/**
 * `pooled`: the server through PgBouncer (transaction mode); raw `sql` still goes to the server.
 * `replica`: `url` at the server (the primary), `readUrl` at its streaming hot standby; raw `sql`
 * goes to the primary and, when it writes, returns once the standby has replayed it.
 */
export type BackendKind = 'embedded' | 'server' | 'pooled' | 'replica';

export interface SqlOptions {
  /** Sets `secretref.developer_id` for the statement's transaction (server). */
  developerId?: string;
  /**
   * Sees every developer's rows. Server: runs as the superuser of the test setup (nothing the
   * application role can do lifts row-level security since migration 3); embedded: as always.
   */
  maintenance?: boolean;
}

export interface Backend {
  readonly kind: BackendKind;
  /** URL of this file's database (embedded: a folder this process holds open). */
  readonly url: string;
  /** A fresh schema name. */
  freshSchema(): string;
  /** A store on a fresh schema (unless `schema` is given) with a new key (unless given); closed after the file. */
  open(opts?: OpenStoreOptions): Promise<Store>;
  /**
   * A location other processes can open: embedded, a new folder copied from the template (this
   * process does not hold it); server, this file's database with a fresh schema.
   */
  isolatedLocation(): { url: string; schema: string };
  /**
   * Raw SQL on this file's database as the app's role (embedded: the shared PGlite instance, a
   * superuser). With `developerId`, inside a transaction that sets the row-level-security setting.
   */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[], opts?: SqlOptions): Promise<R[]>;
}

const KINDS: BackendKind[] = ['embedded', 'server'];

/** Every backend, the pooler and the replica included (the store and resolver suites). */
export const ALL_KINDS: BackendKind[] = ['embedded', 'server', 'pooled', 'replica'];

/** The app role through the test PgBouncer (transaction mode); fails loudly when there is none. */
export function pooledUrl(): string {
  const url = inject('pg').pooledUrl;
  if (url === null) throw new Error('the pooled backend needs PgBouncer: set SECRETREF_TEST_POOLED_DATABASE_URL with an external server');
  return url;
}

/** The app role on the test setup's hot standby; fails loudly when there is none. */
export function standbyUrl(): string {
  const url = inject('pg').standbyUrl;
  if (url === null) throw new Error('the replica backend needs a hot standby: set SECRETREF_TEST_READ_DATABASE_URL with an external server');
  return url;
}

/** Returns once the standby has replayed everything the primary wrote so far (`client`: on the primary). */
export async function standbyCaughtUp(client: pg.Client, standby: pg.Client, timeoutMs = 10_000): Promise<void> {
  const target = (await client.query<{ lsn: string }>(WAL_POSITION)).rows[0]?.lsn;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await standby.query<{ ok: boolean }>('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [target]);
    if (r.rows[0]?.ok === true) return;
    if (Date.now() > deadline) throw new Error(`the standby did not replay up to ${target} within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

function freshSchema(): string {
  return `t_${Math.random().toString(36).slice(2, 10)}`;
}

function makeBackend(kind: BackendKind): Backend & { setup(): Promise<void>; teardown(): Promise<void> } {
  const stores: Store[] = [];
  const dirs: string[] = [];
  let url = '';
  /** Options every `open()` of this backend gets (pooled: notifications straight from the server). */
  let defaults: OpenStoreOptions = {};
  let keeper: Store | undefined;
  let client: pg.Client | undefined;
  let admin: pg.Client | undefined;
  let standby: pg.Client | undefined;
  /** replica: raw SQL that wrote is seen by the store's standby reads before `sql()` returns. */
  const replayed = async <R>(rows: R[]): Promise<R[]> => {
    if (kind !== 'replica' || !client) return rows;
    if (!standby) {
      standby = new pg.Client({ connectionString: standbyUrl() });
      await standby.connect();
    }
    await standbyCaughtUp(admin ?? client, standby);
    return rows;
  };

  const copyTemplate = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-it-'));
    dirs.push(dir);
    const db = join(dir, 'db');
    cpSync(inject('pgliteTemplate'), db, { recursive: true });
    return db;
  };

  return {
    kind,
    get url() {
      return url;
    },
    freshSchema,
    async setup() {
      if (kind === 'embedded') {
        url = `file:${copyTemplate()}`;
        // Keeps the shared instance booted between tests that close their stores.
        keeper = await openStore({ url, masterKey: keygen(), schema: 'keeper' });
      } else if (kind === 'server') {
        url = inject('pg').appUrl;
      } else if (kind === 'replica') {
        url = inject('pg').appUrl;
        defaults = { readUrl: standbyUrl() };
      } else {
        url = pooledUrl();
        defaults = { notifyUrl: inject('pg').appUrl };
      }
    },
    async teardown() {
      await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
      await keeper?.close();
      await client?.end().catch(() => undefined);
      await admin?.end().catch(() => undefined);
      await standby?.end().catch(() => undefined);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
    async open(opts: OpenStoreOptions = {}) {
      const store = await openStore({ url, masterKey: keygen(), schema: freshSchema(), ...defaults, ...opts });
      stores.push(store);
      return store;
    },
    isolatedLocation() {
      return kind === 'embedded' ? { url: `file:${copyTemplate()}`, schema: 'secretref' } : { url, schema: freshSchema() };
    },
    async sql<R>(text: string, params: unknown[] = [], opts: SqlOptions = {}): Promise<R[]> {
      if (kind === 'embedded') {
        const db = await openedEmbedded(url.slice('file:'.length));
        if (!db) throw new Error('the embedded test database is not open');
        return (await db.query<R>(text, params)).rows;
      }
      if (opts.maintenance) {
        const adminUrl = inject('pg').adminUrl;
        if (adminUrl === null) throw new Error('maintenance SQL needs SECRETREF_TEST_ADMIN_DATABASE_URL (a superuser)');
        if (!admin) {
          admin = new pg.Client({ connectionString: adminUrl });
          await admin.connect();
        }
        return await replayed((await admin.query(text, params)).rows as R[]);
      }
      if (!client) {
        client = new pg.Client({ connectionString: kind === 'pooled' ? inject('pg').appUrl : url });
        await client.connect();
      }
      if (opts.developerId === undefined) return await replayed((await client.query(text, params)).rows as R[]);
      await client.query('begin');
      try {
        await client.query(`select set_config('secretref.developer_id', $1, true)`, [opts.developerId]);
        const rows = (await client.query(text, params)).rows as R[];
        await client.query('commit');
        return await replayed(rows);
      } catch (e) {
        await client.query('rollback');
        throw e;
      }
    },
  };
}

/** Declares `describe(\`${name} [backend]\`)` once per backend. */
export function describeBackends(name: string, body: (backend: Backend) => void, kinds: BackendKind[] = KINDS): void {
  for (const kind of kinds) {
    describe(`${name} [${kind}]`, () => {
      const backend = makeBackend(kind);
      beforeAll(() => backend.setup());
      afterAll(() => backend.teardown());
      body(backend);
    });
  }
}

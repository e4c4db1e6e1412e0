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
import type { OpenStoreOptions, Store } from '../../src/store/types.js';

/** `pooled`: the server through PgBouncer (transaction mode); raw `sql` still goes to the server. */
export type BackendKind = 'embedded' | 'server' | 'pooled';

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

/** Every backend, the pooler included (the store and resolver suites). */
export const ALL_KINDS: BackendKind[] = ['embedded', 'server', 'pooled'];

/** The app role through the test PgBouncer (transaction mode); fails loudly when there is none. */
export function pooledUrl(): string {
  const url = inject('pg').pooledUrl;
  if (url === null) throw new Error('the pooled backend needs PgBouncer: set SECRETREF_TEST_POOLED_DATABASE_URL with an external server');
  return url;
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
        return (await admin.query(text, params)).rows as R[];
      }
      if (!client) {
        client = new pg.Client({ connectionString: kind === 'pooled' ? inject('pg').appUrl : url });
        await client.connect();
      }
      if (opts.developerId === undefined) return (await client.query(text, params)).rows as R[];
      await client.query('begin');
      try {
        await client.query(`select set_config('secretref.developer_id', $1, true)`, [opts.developerId]);
        const rows = (await client.query(text, params)).rows as R[];
        await client.query('commit');
        return rows;
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

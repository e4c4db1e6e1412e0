/**
 * Copies the secrets of a Julep deployment into this store, each under its own developer id.
 * Julep keeps them in `secrets` (memory-store migration 000040: secret_id, developer_id, name,
 * description, value_encrypted, created_at, updated_at, metadata), encrypted with pgcrypto under
 * Julep's SECRETS_MASTER_KEY and `cipher-algo=aes256`; they are decrypted in Julep's database
 * with that key as a bound parameter, on a read-only session.
 *
 * Fidelity: timestamps are carried over; description and metadata are stored as Julep has them
 * (NULL metadata is Julep's "none", stored as secretref's `{}` and compared equal to it);
 * provenance goes to the audit log (`imported_from: julep`), never into metadata. A row the store
 * cannot hold is skipped and reported — developer id, secret id, name (sanitised when the name
 * itself is the problem) and every reason, never the value — and the rest is imported. Existing
 * secrets are compared inside the store without reading or auditing their values; `overwrite`
 * makes value, description and metadata equal to Julep's. A second run reports every row unchanged.
 */
import { INTERNAL_LIMITS } from '../limits.js';
import type pg from 'pg';
import { SecretrefError, clip, type ErrorCode } from '../errors.js';
import { errorSqlState, wrapDbError } from '../store/db-errors.js';
import type { ImportField, Store } from '../store/types.js';
import { checkName } from '../store/validate.js';

/** What to import. */
export interface JulepImportOptions {
  /** `postgres://…` of the Julep database. */
  url: string;
  /** Julep's SECRETS_MASTER_KEY. Never logged, never in a message. */
  julepKey: string;
  /** Table, optionally schema-qualified. Default `secrets` (on the search path). */
  table?: string;
  /** Only these developers. Default: every developer in the table. */
  developerIds?: string[];
  /** Make value, description and metadata equal to Julep's where they differ. Default false: conflicts. */
  overwrite?: boolean;
}

/** Where to import to, and who is watching. */
export interface JulepImportContext {
  store: Store;
  /** After every row: rows handled so far, and the rows the table held when the import started. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** A row that was not imported, and why. Never its value. */
export interface JulepSkippedRow {
  developerId: string;
  /** Julep's secret_id: identifies the row when its name cannot be shown whole. */
  secretId: string;
  /** The name; when the name itself is invalid, anything but A–Z, a–z, 0–9, _ shown as `?`, clipped (errors.ts `clip`). */
  name: string;
  /** Every reason, as catalogued codes with the field concerned (`/name`, `/value`, `/description`, `/metadata`). */
  problems: { code: ErrorCode; path?: string; message: string }[];
}

/** A secret that differs from Julep's and was left alone (no `overwrite`). */
export interface JulepConflictRow {
  developerId: string;
  secretId: string;
  name: string;
  fields: ImportField[];
}

/** Outcome of an import (the `--json` output, version 1). */
export interface JulepImportResult {
  version: 1;
  /** False when any row was skipped (the command then exits 1). */
  ok: boolean;
  /** Rows read from Julep. */
  read: number;
  created: number;
  /** Differed, and `overwrite` made them equal. */
  updated: number;
  unchanged: number;
  /** Differed, left alone (no `overwrite`). */
  conflicts: number;
  /** Could not be imported; see `skippedRows`. */
  skipped: number;
  developers: number;
  skippedRows: JulepSkippedRow[];
  conflictRows: JulepConflictRow[];
}

interface JulepRow {
  secret_id: string;
  developer_id: string;
  name: string;
  description: string | null;
  metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  /** Undefined when the row's ciphertext does not decrypt with Julep's key. */
  value?: string;
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
/** Store errors that concern one row: it is skipped, the import goes on. */
const ROW_CODES = new Set<ErrorCode>(['INVALID_NAME', 'INVALID_INPUT', 'LIMIT_EXCEEDED', 'ENCRYPTION_ERROR', 'DUPLICATE_NAME']);
const UNDECRYPTABLE = 'The Julep ciphertext of this row does not decrypt with the Julep master key (corrupt, or written under another key).';

/** `secretref import --from-julep`: reads every row of Julep's table and imports it. */
export async function importFromJulep(options: JulepImportOptions, context: JulepImportContext): Promise<JulepImportResult> {
  const table = options.table ?? 'secrets';
  if (!TABLE.test(table)) {
    throw new SecretrefError('INVALID_INPUT', 'The Julep table must be a plain (optionally schema-qualified) identifier.', { path: '/table' });
  }
  const result: JulepImportResult = {
    version: 1, ok: true, read: 0, created: 0, updated: 0, unchanged: 0, conflicts: 0, skipped: 0, developers: 0, skippedRows: [], conflictRows: [],
  };
  const developers = new Set<string>();
  const julep = await JulepTable.connect(options.url, table, options.julepKey, options.developerIds ?? null);
  try {
    const total = await julep.count();
    for await (const row of julep.rows()) {
      developers.add(row.developer_id);
      result.read++;
      await importRow(context.store, row, options.overwrite === true, result);
      context.onProgress?.({ done: result.read, total: Math.max(total, result.read) });
    }
  } finally {
    await julep.close();
  }
  result.developers = developers.size;
  result.ok = result.skipped === 0;
  return result;
}

async function importRow(store: Store, row: JulepRow, overwrite: boolean, result: JulepImportResult): Promise<void> {
  const skip = (problems: JulepSkippedRow['problems']): void => {
    result.skipped++;
    result.skippedRows.push({ developerId: row.developer_id, secretId: row.secret_id, name: shownName(row.name), problems });
  };
  if (row.value === undefined) return skip([{ code: 'ENCRYPTION_ERROR', path: '/value', message: UNDECRYPTABLE }]);
  try {
    const r = await store.scope(row.developer_id).importSecret(
      { name: row.name, value: row.value, description: row.description, metadata: row.metadata, createdAt: row.created_at, updatedAt: row.updated_at },
      { source: 'julep', overwrite },
    );
    result[r.outcome === 'conflict' ? 'conflicts' : r.outcome]++;
    if (r.outcome === 'conflict') {
      result.conflictRows.push({ developerId: row.developer_id, secretId: row.secret_id, name: row.name, fields: r.fields });
    }
  } catch (e) {
    if (!(e instanceof SecretrefError) || !ROW_CODES.has(e.code)) throw e;
    skip(e.problems.map((p) => ({ code: p.code, ...(p.path !== undefined ? { path: p.path } : {}), message: p.message })));
  }
}

/** A name fit for a report: as it is when valid, else clipped with anything unusual replaced. */
export function shownName(name: string): string {
  try {
    return checkName(name);
  } catch {
    return clip(name.replace(/[^A-Za-z0-9_]/g, '?'));
  }
}

/** Julep's table, read in pages by (developer_id, name) on a read-only session. */
class JulepTable {
  private constructor(
    private readonly client: pg.Client,
    private readonly table: string,
    private readonly key: string,
    private readonly developers: string[] | null,
  ) {}

  static async connect(url: string, table: string, key: string, developers: string[] | null): Promise<JulepTable> {
    const { default: pgModule } = await import('pg');
    let client: pg.Client;
    try {
      client = new pgModule.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    } catch {
      throw new SecretrefError('INVALID_INPUT', 'The Julep database URL could not be parsed (postgres://user:password@host:port/database).', { path: '/url' });
    }
    // A dropped connection is reported by the query in flight; without a listener pg's 'error'
    // event would crash the process instead.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('set default_transaction_read_only = on');
    } catch (e) {
      await client.end().catch(() => undefined);
      throw wrapDbError(e, 'connect to the Julep database');
    }
    return new JulepTable(client, table, key, developers);
  }

  async count(): Promise<number> {
    const r = await this.query<{ n: string }>(
      `select count(*) as n from ${this.table} where ($1::uuid[] is null or developer_id = any($1::uuid[]))`,
      [this.developers],
    );
    return Number(r[0]?.n ?? 0);
  }

  async *rows(): AsyncGenerator<JulepRow> {
    let after: [string, string] | null = null;
    let decrypted = false;
    for (;;) {
      let page: JulepRow[];
      try {
        page = await this.page(after, true);
        if (page.length) decrypted = true;
      } catch (e) {
        if (errorSqlState(e) !== '39000') throw e;
        // Some row of the page does not decrypt: find which, one by one.
        page = await this.page(after, false);
        for (const row of page) {
          const value = await this.decryptOne(row);
          if (value !== undefined) {
            row.value = value;
            decrypted = true;
          }
        }
        if (!decrypted) throw new SecretrefError('ENCRYPTION_ERROR', "Julep's secrets could not be decrypted: the Julep master key is wrong.");
      }
      yield* page;
      const last = page[page.length - 1];
      if (!last || page.length < INTERNAL_LIMITS.importPage) return;
      after = [last.developer_id, last.name];
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async page(after: [string, string] | null, decrypt: boolean): Promise<JulepRow[]> {
    return await this.query<JulepRow>(
      `select secret_id::text, developer_id::text, name, description, metadata, created_at, updated_at
              ${decrypt ? ', pgp_sym_decrypt(value_encrypted, $4::text) as value' : ''}
         from ${this.table}
        where ($1::uuid[] is null or developer_id = any($1::uuid[]))
          and ($2::uuid is null or (developer_id, name) > ($2::uuid, $3::text))
        order by developer_id, name
        limit ${INTERNAL_LIMITS.importPage}`,
      [this.developers, after?.[0] ?? null, after?.[1] ?? null, ...(decrypt ? [this.key] : [])],
    );
  }

  private async decryptOne(row: JulepRow): Promise<string | undefined> {
    try {
      const r = await this.query<{ value: string }>(
        `select pgp_sym_decrypt(value_encrypted, $1::text) as value from ${this.table} where developer_id = $2::uuid and secret_id = $3::uuid`,
        [this.key, row.developer_id, row.secret_id],
      );
      return r[0]?.value;
    } catch (e) {
      if (errorSqlState(e) === '39000') return undefined;
      throw e;
    }
  }

  private async query<R extends object>(text: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.client.query<R>(text, params)).rows;
    } catch (e) {
      const state = errorSqlState(e);
      if (state === '42P01') throw new SecretrefError('INVALID_INPUT', `No table ${this.table} in the Julep database.`, { path: '/table' });
      if (state === '42703') {
        throw new SecretrefError('INVALID_INPUT', `${this.table} does not have the columns of Julep's secrets table (secret_id, developer_id, name, description, value_encrypted, metadata, created_at, updated_at).`, { path: '/table' });
      }
      throw wrapDbError(e, "read Julep's secrets");
    }
  }
}

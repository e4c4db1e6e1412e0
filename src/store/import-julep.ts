/**
 * Copies the secrets of an existing Julep deployment into this store, for the same developer
 * ids. Julep keeps them in `secrets` (secret_id, developer_id, name, description,
 * value_encrypted, metadata, created_at, updated_at), encrypted with
 * `pgp_sym_encrypt(value, SECRETS_MASTER_KEY, 'cipher-algo=aes256')`; decryption happens in
 * Julep's database with its key, passed as a bound parameter. Idempotent: a second run changes
 * nothing and says so in its counts.
 */
import pg from 'pg';
import { SecretrefError } from '../errors.js';
import type { Store } from './types.js';

export interface JulepImportOptions {
  /** `postgres://…` of the Julep database. */
  url: string;
  /** Julep's SECRETS_MASTER_KEY. */
  julepKey: string;
  /** Qualified table name. Default `secrets` (on the search path). */
  table?: string;
  /** Only these developers. Default: every developer in the table. */
  developerIds?: string[];
  /** Replace values that differ from Julep's. Default false: such secrets are reported as conflicts. */
  overwrite?: boolean;
  onProgress?: (done: number) => void;
}

export interface JulepImportResult {
  /** Rows read from Julep. */
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Same name, different value, and `overwrite` not set. */
  conflicts: number;
  developers: number;
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const PAGE = 500;

export async function importFromJulep(store: Store, options: JulepImportOptions): Promise<JulepImportResult> {
  const table = options.table ?? 'secrets';
  if (!TABLE.test(table)) throw new SecretrefError('INVALID_INPUT', 'The Julep table must be a plain (optionally schema-qualified) identifier.');
  const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 10_000 });
  // A dropped connection is reported by the query in flight; without a listener pg's 'error'
  // event would crash the process instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    throw new SecretrefError('STORE_UNAVAILABLE', 'Cannot connect to the Julep database; check the URL and that the server is reachable.');
  }
  const result: JulepImportResult = { read: 0, created: 0, updated: 0, unchanged: 0, conflicts: 0, developers: 0 };
  const developers = new Set<string>();
  try {
    let after: [string, string] = ['00000000-0000-0000-0000-000000000000', ''];
    let first = true;
    for (;;) {
      let rows: { developer_id: string; name: string; description: string | null; metadata: Record<string, unknown> | null; value: string }[];
      try {
        const r = await client.query(
          `SELECT developer_id::text, name, description, metadata, pgp_sym_decrypt(value_encrypted, $1) AS value
             FROM ${table}
            WHERE ($2::uuid[] IS NULL OR developer_id = ANY($2::uuid[]))
              AND ($5 OR (developer_id, name) > ($3::uuid, $4::text))
            ORDER BY developer_id, name
            LIMIT ${PAGE}`,
          [options.julepKey, options.developerIds ?? null, after[0], after[1], first],
        );
        rows = r.rows;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === '39000') throw new SecretrefError('ENCRYPTION_ERROR', "Julep's secrets could not be decrypted: the Julep master key is wrong.");
        if (code === '42P01') throw new SecretrefError('INVALID_INPUT', `No table ${table} in the Julep database.`);
        throw new SecretrefError('STORE_UNAVAILABLE', `Reading Julep's secrets failed (SQLSTATE ${code ?? 'unknown'}).`);
      }
      first = false;
      for (const row of rows) {
        developers.add(row.developer_id);
        result.read++;
        const scoped = store.scope(row.developer_id);
        const existing = (await scoped.resolveMany([row.name])).get(row.name);
        if (existing === undefined) {
          await scoped.create({ name: row.name, value: row.value, description: row.description, metadata: { ...(row.metadata ?? {}), imported_from: 'julep' } });
          result.created++;
        } else if (existing === row.value) result.unchanged++;
        else if (options.overwrite) {
          await scoped.update(row.name, { value: row.value });
          result.updated++;
        } else result.conflicts++;
        options.onProgress?.(result.read);
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE) break;
      after = [last.developer_id, last.name];
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  result.developers = developers.size;
  return result;
}

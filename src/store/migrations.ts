/**
 * Versioned migrations, applied at open inside one transaction holding a transaction-level
 * advisory lock, so processes opening one database at once migrate it exactly once. The fast
 * path (already migrated) is a single query, which keeps the CLI's start-up lean.
 */
import { SecretrefError } from '../errors.js';
import { errorSqlState } from './db-errors.js';
import type { Driver, Queryable } from './driver.js';
import { MAINTENANCE_SETTING, PGP_OPTIONS, TENANT_SETTING, quoteIdent } from './sql.js';
import { REBIND_VERSION, bindingSchema, boundedAudit, keyGuard, keysetPaging, coreMacReads, sizedNames, sqlFunctions, standbyReads, type SqlNames } from './statements.js';

/** Advisory-lock key (two int4) shared by every secretref schema: also serialises CREATE EXTENSION. */
const LOCK_KEY = [0x73726566, 1] as const;

/**
 * One schema version. A migration that has run somewhere must keep its meaning: its text is
 * pinned by test/store/statements.test.ts. To change an object it created (a function
 * of statements.ts, say), add a version that replaces it, and keep the old text for the old version.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  sql(n: SqlNames): string;
  /**
   * A data migration: it needs the master key, so it runs after the schema migrations, from
   * openStore (rebind.ts), in batches, and records itself when done. `sql` is empty.
   */
  readonly data?: true;
}

const ACTIONS = ['create', 'update', 'rename', 'delete', 'rotate', 'rollback', 'rekey', 'resolve', 'reveal'];

function tenantPolicy(s: string, table: string): string {
  const me = `nullif(current_setting('${TENANT_SETTING}', true), '')::uuid`;
  return `
alter table ${s}.${table} enable row level security;
alter table ${s}.${table} force row level security;
create policy tenant_isolation on ${s}.${table}
  using (developer_id = ${me}) with check (developer_id = ${me});
create policy maintenance on ${s}.${table}
  using (current_setting('${MAINTENANCE_SETTING}', true) = 'on');`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'secrets, audit, row-level security, tenant functions',
    sql: ({ schema: s, crypto }) => `
create table ${s}.secrets (
  secret_id uuid primary key default gen_random_uuid(),
  developer_id uuid not null,
  name text collate "C" not null,
  description text,
  value_encrypted bytea not null,
  key_id text not null,
  version integer not null default 1,
  metadata jsonb not null default '{}'::jsonb,
  expires_at timestamptz,
  allowed_tools text[],
  allowed_hosts text[],
  previous_value_encrypted bytea,
  previous_key_id text,
  previous_version integer,
  previous_valid_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint secrets_developer_name_key unique (developer_id, name),
  constraint secrets_name_rule check (name ~ '^[A-Za-z][A-Za-z0-9_]*$' and char_length(name) <= 128),
  constraint secrets_metadata_object check (jsonb_typeof(metadata) = 'object'),
  constraint secrets_previous_complete check (
    (previous_value_encrypted is null) = (previous_valid_until is null)
    and (previous_value_encrypted is null) = (previous_key_id is null))
);
create index secrets_key_id_idx on ${s}.secrets (key_id);
create index secrets_previous_key_id_idx on ${s}.secrets (previous_key_id) where previous_key_id is not null;
create index secrets_grace_idx on ${s}.secrets (developer_id, previous_valid_until) where previous_valid_until is not null;

create table ${s}.audit (
  audit_id bigint generated always as identity primary key,
  developer_id uuid not null,
  secret_id uuid,
  name text collate "C" not null,
  action text not null check (action in (${ACTIONS.map((a) => `'${a}'`).join(', ')})),
  detail jsonb not null default '{}'::jsonb,
  at timestamptz not null default clock_timestamp()
);
create index audit_developer_at_idx on ${s}.audit (developer_id, at desc);
create index audit_developer_secret_idx on ${s}.audit (developer_id, secret_id);
${tenantPolicy(s, 'secrets')}
${tenantPolicy(s, 'audit')}

create type ${s}.secret_info as (
  secret_id uuid, developer_id uuid, name text, description text, metadata jsonb, version integer,
  key_id text, expires_at timestamptz, allowed_tools text[], allowed_hosts text[],
  created_at timestamptz, updated_at timestamptz,
  previous_version integer, previous_key_id text, previous_valid_until timestamptz,
  value text, previous_value text);

${sqlFunctions({ schema: s, crypto })}
comment on table ${s}.secrets is 'secretref secrets: values encrypted with pgp_sym_encrypt (${PGP_OPTIONS}); passphrase = HMAC-derived developer key || '':'' || secret_id';
`,
  },
  {
    version: 2,
    name: 'key guard: a write under another master key than the developer\'s rows is refused unless a rekey is in progress',
    sql: (n) => keyGuard(n),
  },
  {
    version: 3,
    name: 'no setting unlocks row-level security; the audit is append-only',
    // Maintenance now lifts FORCE ROW LEVEL SECURITY in its own transaction, which only the
    // tables' owner can do (statements.liftRowSecurity). The owner loses UPDATE/DELETE/TRUNCATE
    // on the audit like everyone else; the trigger refuses them to superusers too.
    sql: ({ schema: s }) => `
drop policy maintenance on ${s}.secrets;
drop policy maintenance on ${s}.audit;
revoke update, delete, truncate on ${s}.audit from public;
revoke update, delete, truncate on ${s}.audit from current_user;
create function ${s}.audit_append_only() returns trigger
language plpgsql as $fn$
begin
  raise exception 'the secretref audit is append-only' using errcode = '42501';
end $fn$;
create trigger audit_append_only before update or delete on ${s}.audit
  for each row execute function ${s}.audit_append_only();
create trigger audit_no_truncate before truncate on ${s}.audit
  for each statement execute function ${s}.audit_append_only();
`,
  },
  {
    version: 4,
    name: 'each ciphertext bound to developer, id, name and version; name, version, expiry and policy authenticated by an HMAC',
    sql: (n) => bindingSchema(n),
  },
  {
    version: REBIND_VERSION,
    name: 'every row bound (rows from before version 4 re-encrypted and signed); unbound rows refused from now on',
    sql: () => '',
    data: true,
  },
  {
    version: 6,
    name: 'paging by index range on every call (keyset bounds as index conditions, also in a generic plan)',
    sql: (n) => keysetPaging(n),
  },
  {
    version: 7,
    name: 'bounded audit: one record per read batch (names), index on at, pruning of old records by the owner',
    sql: (n) => boundedAudit(n),
  },
  {
    version: 8,
    name: 'names of a length range, filtered in the database (suggestions)',
    sql: (n) => sizedNames(n),
  },
  {
    version: 9,
    name: 'values read on a hot standby without the audit insert it refuses (the store audits such reads on the primary)',
    sql: (n) => standbyReads(n),
  },
  {
    version: 10,
    name: 'descriptions and lists check each row\'s HMAC with core sha256(), without pgcrypto (no value is decrypted)',
    sql: (n) => coreMacReads(n),
  },
];

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** What the store needs to know about the database after migrating. */
export interface SchemaInfo {
  /** Quoted schema of the pgcrypto functions. */
  crypto: string;
  /** False while data migrations (rebind.ts) are still to run. */
  complete: boolean;
}

function tooNew(version: number): SecretrefError {
  return new SecretrefError(
    'STORE_UNAVAILABLE',
    `The store schema is at version ${version}, newer than this secretref supports (${LATEST_VERSION}); upgrade secretref.`,
  );
}

async function cryptoSchema(q: Queryable): Promise<string | undefined> {
  const rows = await q.query<{ ext: string | null }>(
    `select n.nspname::text as ext from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'`,
  );
  return rows[0]?.ext ?? undefined;
}

/** Brings schema `schema` (validated, unquoted) to the latest version. */
export async function migrate(driver: Driver, schema: string): Promise<SchemaInfo> {
  const current = await currentSchema(driver, schema);
  return current ?? (await migrateNow(driver, schema));
}

/** What `migrate` returns when schema `schema` is current (every migration, data ones too), else undefined. */
export async function currentSchema(driver: Driver, schema: string): Promise<SchemaInfo | undefined> {
  const s = `"${schema}"`;
  try {
    const rows = await driver.query<{ version: number | null; applied: number; ext: string | null }>(
      `select (select max(version) from ${s}.migrations) as version,
              (select count(*)::integer from ${s}.migrations) as applied,
              (select n.nspname::text from pg_extension e join pg_namespace n on n.oid = e.extnamespace
                where e.extname = 'pgcrypto') as ext`,
    );
    const version = rows[0]?.version ?? 0;
    const ext = rows[0]?.ext;
    if (version > LATEST_VERSION) throw tooNew(version);
    // Every version there, the data migrations included (a schema migration may come after one).
    if (version === LATEST_VERSION && rows[0]?.applied === MIGRATIONS.length && ext) return { crypto: quoteIdent(ext), complete: true };
  } catch (e) {
    const state = errorSqlState(e);
    if (state !== '42P01' && state !== '3F000') throw e;
  }
  return undefined;
}

async function migrateNow(driver: Driver, schema: string): Promise<SchemaInfo> {
  const s = `"${schema}"`;
  return await driver.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${LOCK_KEY[0]}, ${LOCK_KEY[1]})`);
    let ext = await cryptoSchema(tx);
    if (!ext) {
      await tx.query('create extension if not exists pgcrypto');
      ext = await cryptoSchema(tx);
    }
    if (!ext) throw new SecretrefError('STORE_UNAVAILABLE', 'The pgcrypto extension is not available in this database.');
    const names: SqlNames = { schema: s, crypto: quoteIdent(ext) };
    await tx.query(`create schema if not exists ${s}`);
    await tx.query(
      `create table if not exists ${s}.migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`,
    );
    const applied = new Set(
      (await tx.query<{ version: number }>(`select version from ${s}.migrations`)).map((r) => r.version),
    );
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_VERSION) throw tooNew(newest);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version) || m.data) continue;
      await tx.exec(m.sql(names));
      await tx.query(`insert into ${s}.migrations (version, name) values ($1, $2)`, [m.version, m.name]);
    }
    return { crypto: names.crypto, complete: MIGRATIONS.every((m) => !m.data || applied.has(m.version)) };
  });
}

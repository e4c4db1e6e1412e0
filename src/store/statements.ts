/**
 * Every SQL statement of the store, one named builder each, including the bodies of the SQL
 * functions that migration 1 creates. Each is put together from the four building blocks below
 * and nothing else, so the two invariants of the design can be checked in one place:
 *  - `passphrase`: a ciphertext is encrypted under the developer's derived key ‖ ':' ‖ the row's
 *    secret_id, so a ciphertext copied to another row or tenant does not decrypt; `encrypt` and
 *    `decrypt` are the only uses of pgcrypto, always under it;
 *  - `audit`: the audit insert; every statement that writes a secret writes it in the same statement.
 * test/store/statements.test.ts holds both (and pins migration 1's text). Values are
 * always bound parameters; identifiers are quoted names from validated configuration.
 */
import { createHash } from 'node:crypto';
import { PGP_OPTIONS, REKEY_LOCK_CLASS, TENANT_SETTING } from './sql.js';
import type { AuditAction } from './types.js';
import type { ParsedCreate } from './validate-input.js';

/** Quoted identifiers a statement needs: the store's schema and pgcrypto's. */
export interface SqlNames {
  readonly schema: string;
  readonly crypto: string;
}

/** A statement ready for `Queryable.query(text, params)`. */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** Numbers bound parameters in the order they are written into the text. */
class Params {
  readonly values: unknown[] = [];
  bind(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Passphrase of row `row`: the developer's derived key, bound to the row's secret id. */
export function passphrase(tenantKey: string, row: string): string {
  return `${tenantKey} || ':' || ${row}.secret_id::text`;
}

/** `value` encrypted for row `row` with the store's options (see PGP_OPTIONS). */
export function encrypt(n: SqlNames, value: string, tenantKey: string, row: string): string {
  return `${n.crypto}.pgp_sym_encrypt(${value}, ${passphrase(tenantKey, row)}, '${PGP_OPTIONS}')`;
}

/** `ciphertext` of row `row` decrypted (pgcrypto reads the S2K settings from the message). */
export function decrypt(n: SqlNames, ciphertext: string, tenantKey: string, row: string): string {
  return `${n.crypto}.pgp_sym_decrypt(${ciphertext}, ${passphrase(tenantKey, row)})`;
}

/**
 * Passphrase of a bound ciphertext (binding 2): the developer's derived key, the row's secret id,
 * and the name and version the value has, so a ciphertext put back after a rotation, or moved to
 * another name, does not decrypt. `name` and `version` are SQL expressions (the row's columns,
 * or the new values of a write).
 */
export function boundPassphrase(tenantKey: string, row: string, name: string, version: string): string {
  return `${tenantKey} || ':' || ${row}.secret_id::text || ':' || (${name}) || ':' || (${version})::text`;
}

/** `value` encrypted for row `row` as value `version` of `name` (binding 2). */
export function encryptBound(n: SqlNames, value: string, tenantKey: string, row: string, name: string, version: string): string {
  return `${n.crypto}.pgp_sym_encrypt(${value}, ${boundPassphrase(tenantKey, row, name, version)}, '${PGP_OPTIONS}')`;
}

/**
 * `ciphertext` of row `row` decrypted as value `version` of `name`; a row from before the binding
 * (binding 1) decrypts under its old passphrase. Callers decrypt only rows that pass `intact`.
 */
export function decryptBound(n: SqlNames, ciphertext: string, tenantKey: string, row: string, name: string, version: string): string {
  return `case when ${row}.binding = 2
    then ${n.crypto}.pgp_sym_decrypt(${ciphertext}, ${boundPassphrase(tenantKey, row, name, version)})
    else ${decrypt(n, ciphertext, tenantKey, row)} end`;
}

/** The columns an HMAC authenticates, as SQL expressions (a row's columns, or a write's new values). */
export interface MacColumns {
  developer: string;
  id: string;
  name: string;
  version: string;
  expiresAt: string;
  allowedTools: string;
  allowedHosts: string;
}

/** The columns of row alias `a`. */
export function rowColumns(a: string): MacColumns {
  return {
    developer: `${a}.developer_id`,
    id: `${a}.secret_id`,
    name: `${a}.name`,
    version: `${a}.version`,
    expiresAt: `${a}.expires_at`,
    allowedTools: `${a}.allowed_tools`,
    allowedHosts: `${a}.allowed_hosts`,
  };
}

/**
 * HMAC-SHA256 (hex) under the developer's derived key of what a row's ciphertext does not
 * protect: its developer, id, name, version, expiry and usage policy. Timestamps in UTC with
 * microseconds and arrays as JSON, so the text does not depend on session settings.
 */
export function rowMac(n: SqlNames, tenantKey: string, c: MacColumns): string {
  return `encode(${n.crypto}.hmac(${macText(c)}, ${tenantKey} || ':mac', 'sha256'), 'hex')`;
}

/** The text a row's HMAC covers (rowMac). */
function macText(c: MacColumns): string {
  const fields = [
    `'secretref:row:v2'`,
    `(${c.developer})::text`,
    `(${c.id})::text`,
    `(${c.name})`,
    `(${c.version})::text`,
    `coalesce(to_char((${c.expiresAt}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '-')`,
    `coalesce(array_to_json(${c.allowedTools})::text, '-')`,
    `coalesce(array_to_json(${c.allowedHosts})::text, '-')`,
  ];
  return `concat_ws(chr(31), ${fields.join(', ')})`;
}

/**
 * The row HMAC of `a` by PostgreSQL's own sha256() (migration 10's `hmac_sha256_hex`), from the
 * key's inner and outer pads (macPads), bound as `p_mac_ipad`/`p_mac_opad`: the same value as
 * rowMac, without pgcrypto.
 */
function coreMac(n: SqlNames, a: string): string {
  return `${n.schema}.hmac_sha256_hex(${macText(rowColumns(a))}, p_mac_ipad, p_mac_opad)`;
}

/**
 * HMAC-SHA256's inner and outer key pads (RFC 2104) of the row-MAC key, `tenantKey:mac` as
 * pgcrypto's hmac() reads it (its UTF-8 bytes, hashed first when longer than the 64-byte block).
 * Computed here once per statement, so the database hashes each row twice and XORs nothing.
 */
export function macPads(tenantKey: string): { ipad: Buffer; opad: Buffer } {
  let key = Buffer.from(`${tenantKey}:mac`, 'utf8');
  if (key.length > 64) key = createHash('sha256').update(key).digest();
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i] = (ipad[i] as number) ^ (key[i] as number);
    opad[i] = (opad[i] as number) ^ (key[i] as number);
  }
  return { ipad, opad };
}

/** Version recorded in `migrations` once every row is bound (see rebind.ts); from then on an unbound row is refused. */
export const REBIND_VERSION = 5;

/**
 * True when row `a` is as secretref wrote it: its HMAC matches (binding 2), or it is from before
 * the binding and not every row has been re-bound yet (binding 1). Never for binding 0 (a row
 * from before that did not decrypt when it was to be re-bound). Only meaningful when the row is
 * under the key `tenantKey` derives from.
 */
export function intact(n: SqlNames, tenantKey: string, a: string): string {
  return intactWith(n, a, rowMac(n, tenantKey, rowColumns(a)));
}

/** `intact`, with `mac` the expression that computes row `a`'s HMAC. */
function intactWith(n: SqlNames, a: string, mac: string): string {
  return `case ${a}.binding when 2 then ${a}.mac = ${mac}
    when 1 then not exists (select 1 from ${n.schema}.migrations m where m.version = ${REBIND_VERSION}) else false end`;
}

/**
 * The `intact` column of the read functions: null for a row under another key than `p_key_id`,
 * else `intact` with `macOf(a)` computing row `a`'s HMAC (pgcrypto's, or migration 10's coreMac).
 */
function keyedIntact(n: SqlNames, macOf: (a: string) => string): (a: string) => string {
  return (a) => `case when ${a}.key_id = p_key_id then ${intactWith(n, a, macOf(a))} end`;
}

/** The descriptions of `p_names` of `p_developer`, each with `intactOrNull` (read_secrets without an action; describe_secrets). */
function describedNames(s: string, intactOrNull: (a: string) => string): string {
  return `select ${infoColumns('t')}, ${intactOrNull('t')}, null::bytea, null::bytea
        from ${s}.secrets t where t.developer_id = p_developer and t.name = any(p_names)`;
}

/** One audit record: the action (a catalogued one, or an SQL expression yielding one) and its detail. */
export interface AuditRecord {
  readonly action: AuditAction | { readonly sql: string };
  /** SQL expression of a jsonb object; may use the row alias. Never a value. */
  readonly detail: string;
}

/**
 * The audit insert: for every row of `from` (a CTE holding written `secrets` rows, aliased `row`),
 * one record per entry of `records`, in that order.
 */
export function audit(n: SqlNames, records: AuditRecord | readonly AuditRecord[], from: string, row: string): string {
  const list: readonly AuditRecord[] = Array.isArray(records) ? records : [records as AuditRecord];
  const action = (r: AuditRecord): string => (typeof r.action === 'string' ? `'${r.action}'` : r.action.sql);
  const head = `insert into ${n.schema}.audit (developer_id, secret_id, name, action, detail)`;
  const who = `${row}.developer_id, ${row}.secret_id, ${row}.name`;
  if (list.length === 1 && list[0]) {
    return `${head}\n        select ${who}, ${action(list[0])}, ${list[0].detail} from ${from} ${row}`;
  }
  const values = list.map((r) => `(${action(r)}, ${r.detail})`).join(', ');
  return `${head}\n        select ${who}, e.action, e.detail from ${from} ${row}
          cross join lateral (values ${values}) e(action, detail)`;
}

/**
 * The audit insert of a read (migration 7): one record for all the rows of `from` (aliased `row`)
 * of developer `developer`, none when there are none. `names` holds every name, `name` the first
 * (in byte order), `secret_id` the row's id when there is one row, `detail.versions` each name's
 * version. Never a value.
 */
export function auditBatch(n: SqlNames, a: { action: string; developer: string; from: string; row: string }): string {
  const r = a.row;
  return `insert into ${n.schema}.audit (developer_id, secret_id, name, action, detail, names)
        select ${a.developer}, case when count(*) = 1 then (array_agg(${r}.secret_id))[1] end, min(${r}.name), ${a.action},
               jsonb_build_object('versions', jsonb_object_agg(${r}.name, ${r}.version)), array_agg(${r}.name order by ${r}.name)
          from ${a.from} ${r} having count(*) > 0`;
}

/** Columns of SecretInfo read from row alias `a`; the previous version only while in grace. */
export function infoColumns(a: string): string {
  const inGrace = `${a}.previous_valid_until > now()`;
  return [
    `${a}.secret_id`,
    `${a}.developer_id`,
    `${a}.name::text as name`,
    `${a}.description`,
    `${a}.metadata`,
    `${a}.version`,
    `${a}.key_id`,
    `${a}.expires_at`,
    `${a}.allowed_tools`,
    `${a}.allowed_hosts`,
    `${a}.created_at`,
    `${a}.updated_at`,
    `case when ${inGrace} then ${a}.previous_version end as previous_version`,
    `case when ${inGrace} then ${a}.previous_key_id end as previous_key_id`,
    `case when ${inGrace} then ${a}.previous_valid_until end as previous_valid_until`,
  ].join(', ');
}

const CLEAR_PREVIOUS =
  'previous_value_encrypted = null, previous_key_id = null, previous_version = null, previous_valid_until = null';

/** Where a write came from, recorded in its audit detail (never in the secret's metadata). */
export interface Provenance {
  /** `detail.imported_from`, e.g. `julep`. */
  readonly importedFrom: string;
}

function withProvenance(detail: string, p: Params, provenance: Provenance | undefined): string {
  return provenance === undefined ? detail : `${detail} || ${p.bind(JSON.stringify({ imported_from: provenance.importedFrom }), 'jsonb')}`;
}

/** The developer and the key a statement encrypts or decrypts under. */
export interface Tenant {
  readonly developerId: string;
  /** Derived key of the developer (KeyRing.tenantKey); a bound parameter, never stored. */
  readonly tenantKey: string;
  readonly keyId: string;
}

// ---------------------------------------------------------------------------------------------
// Transaction settings

/** Opens a write transaction for one developer (function `begin_tenant` below). */
export function beginTenant(n: SqlNames, developerId: string): Statement {
  return { text: `select ${n.schema}.begin_tenant($1::uuid)`, params: [developerId] };
}

/**
 * Opens a write transaction for one developer under key `keyId` (function `begin_write` of
 * migration 2): `allowed` is false when the developer's rows are under another key (`row_key`,
 * one of them) and no rekey between the two is in progress (`rekey_keys`: the keys of the rekeys
 * in progress that involve `keyId`).
 */
export function beginWrite(n: SqlNames, a: { developerId: string; keyId: string }): Statement {
  return {
    text: `select allowed, row_key, rekey_keys from ${n.schema}.begin_write($1::uuid, $2::text)`,
    params: [a.developerId, a.keyId],
  };
}

/** Records that a rekey from `from` to `to` is in progress (writes under either key are allowed). */
export function startRekey(n: SqlNames, a: { from: string; to: string }): Statement {
  return {
    text: `insert into ${n.schema}.rekeys (from_key, to_key) values ($1::text, $2::text) on conflict do nothing`,
    params: [a.from, a.to],
  };
}

/** Waits until no write is in flight and holds them off until the transaction ends (see REKEY_LOCK_CLASS). */
export function rekeyBarrier(n: SqlNames): Statement {
  return { text: `select pg_advisory_xact_lock(${REKEY_LOCK_CLASS}, hashtext('${n.schema}'))`, params: [] };
}

/** After `rekeyBarrier`: the rows left under `from`; when none, the rekey is recorded as finished. */
export function finishRekey(n: SqlNames, a: { from: string; to: string }): Statement {
  const text = `with left_over as (
       select count(*) as n from ${n.schema}.secrets where key_id = $1::text or previous_key_id = $1::text
     ), done as (
       delete from ${n.schema}.rekeys r where r.from_key = $1::text and r.to_key = $2::text and (select n from left_over) = 0
       returning 1
     )
     select n from left_over`;
  return { text, params: [a.from, a.to] };
}

/**
 * First statement of a maintenance transaction (rekey): lifts FORCE ROW LEVEL SECURITY, for this
 * transaction only (DDL is transactional), so the tables' owner sees every developer's rows. Only
 * the owner may do this (42501 otherwise); no setting can. `restoreRowSecurity` ends it; a
 * rollback restores it as well. Takes the tables' ACCESS EXCLUSIVE lock until the transaction ends.
 */
export function liftRowSecurity(n: SqlNames): Statement {
  return {
    text: `alter table ${n.schema}.secrets no force row level security; alter table ${n.schema}.audit no force row level security`,
    params: [],
  };
}

/** Last statement of a maintenance transaction: row-level security binds the owner again. */
export function restoreRowSecurity(n: SqlNames): Statement {
  return {
    text: `alter table ${n.schema}.secrets force row level security; alter table ${n.schema}.audit force row level security`,
    params: [],
  };
}

/**
 * Grants an application role (quoted) what the store's operations need, and nothing that lets it
 * past row-level security or change the audit. Run by the owner (openStore with maintenanceUrl).
 */
export function grantApplication(n: SqlNames, role: string): Statement {
  const s = n.schema;
  return {
    text: [
      `grant usage on schema ${s} to ${role}`,
      `grant select, insert, update, delete on ${s}.secrets to ${role}`,
      `grant select, insert on ${s}.audit to ${role}`,
      `grant select on ${s}.rekeys, ${s}.migrations to ${role}`,
    ].join('; '),
    params: [],
  };
}

/** Whether role $1 already holds what `grantApplication` gives. */
export function applicationGranted(n: SqlNames, role: string): Statement {
  const s = n.schema;
  const table = (t: string, privs: string[]): string =>
    privs.map((p) => `has_table_privilege($1::text, '${s}.${t}', '${p}')`).join(' and ');
  return {
    // has_schema_privilege takes a plain name; the table functions parse the quoted identifier.
    text: `select has_schema_privilege($1::text, '${s.slice(1, -1)}', 'USAGE') and ${table('secrets', ['SELECT', 'INSERT', 'UPDATE', 'DELETE'])}
              and ${table('audit', ['SELECT', 'INSERT'])} and ${table('rekeys', ['SELECT'])} and ${table('migrations', ['SELECT'])} as ok`,
    params: [role],
  };
}

/** The connection's role and what it can do past row-level security (doctor). */
export function roleInfo(n: SqlNames): Statement {
  return {
    text: `select current_user::text as role, r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
                  coalesce(pg_has_role(current_user, c.relowner, 'MEMBER'), false) as owns_tables
             from pg_roles r left join pg_class c on c.oid = to_regclass($1::text)
            where r.rolname = current_user`,
    params: [`${n.schema}.secrets`],
  };
}

/** The server's connection limits and how many connections it has now (`connectionBudget`). */
export function serverConnections(): Statement {
  return {
    text: `select current_setting('max_connections')::integer as max,
                  current_setting('superuser_reserved_connections')::integer as reserved,
                  (select count(*)::integer from pg_stat_activity where backend_type = 'client backend') as in_use`,
    params: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Reads

/** Columns of `secret_info` but the two values. */
const INFO_FIELDS = [
  'secret_id', 'developer_id', 'name', 'description', 'metadata', 'version', 'key_id', 'expires_at', 'allowed_tools',
  'allowed_hosts', 'created_at', 'updated_at', 'previous_version', 'previous_key_id', 'previous_valid_until',
];

/**
 * Reads names in one round trip; with `action`, also audits it and decrypts (function
 * `read_secrets` of migration 4). Every row under the caller's key comes with `intact` (its
 * HMAC checked; null under another key), and is decrypted only when intact. Values leave as
 * UTF-8 bytes: PGlite decodes result text with a TextDecoder, which drops a leading U+FEFF, and
 * a value must come back exactly as it went in.
 */
export function fetch(
  n: SqlNames,
  a: { developerId: string; names: readonly string[]; action: 'resolve' | 'reveal' | null; tenantKey: string; keyId: string; previous: boolean },
): Statement {
  if (a.action === null) {
    // Descriptions only: no value decrypted, so no pgcrypto (function `describe_secrets` of migration 10).
    const { ipad, opad } = macPads(a.tenantKey);
    return {
      text: `select * from ${n.schema}.describe_secrets($1::uuid, $2::text[], $3::text, $4::bytea, $5::bytea)`,
      params: [a.developerId, a.names, a.keyId, ipad, opad],
    };
  }
  return {
    text: `select * from ${n.schema}.read_secrets($1::uuid, $2::text[], $3::text, $4::text, $5::text, $6::boolean)`,
    params: [a.developerId, a.names, a.action, a.tenantKey, a.keyId, a.previous],
  };
}

/** One page of descriptions, by name, each with `intact` (function `list_described` of migration 10: no pgcrypto). */
export function listPage(
  n: SqlNames,
  a: { developerId: string; after: string | null; prefix: string; metadata: Record<string, unknown> | null; limit: number; tenantKey: string; keyId: string },
): Statement {
  const { ipad, opad } = macPads(a.tenantKey);
  return {
    text: `select * from ${n.schema}.list_described($1::uuid, $2::text, $3::text, $4::jsonb, $5::integer, $6::text, $7::bytea, $8::bytea)`,
    params: [a.developerId, a.after, a.prefix, a.metadata === null ? null : JSON.stringify(a.metadata), a.limit, a.keyId, ipad, opad],
  };
}

/** One page of names only (function `list_page`; with `lengths`, `list_names_sized` of migration 8). */
export function listNames(
  n: SqlNames,
  a: { developerId: string; after: string | null; prefix: string; limit: number; lengths?: { min: number; max: number } | null },
): Statement {
  if (a.lengths) {
    return {
      text: `select name from ${n.schema}.list_names_sized($1::uuid, $2::text, $3::text, $4::integer, $5::integer, $6::integer)`,
      params: [a.developerId, a.after, a.prefix, a.lengths.min, a.lengths.max, a.limit],
    };
  }
  return {
    text: `select name from ${n.schema}.list_page($1::uuid, $2::text, $3::text, null::jsonb, $4::integer)`,
    params: [a.developerId, a.after, a.prefix, a.limit],
  };
}

/** Audit records, newest first (function `audit_page`). */
export function auditPage(n: SqlNames, a: { developerId: string; name: string | null; since: Date | null; limit: number }): Statement {
  return {
    text: `select * from ${n.schema}.audit_page($1::uuid, $2::text, $3::timestamptz, $4::integer)`,
    params: [a.developerId, a.name, a.since?.toISOString() ?? null, a.limit],
  };
}

/** Inside a write transaction: a description of `name`, without value and without audit. */
export function describe(n: SqlNames, a: { developerId: string; name: string }): Statement {
  return {
    text: `select ${infoColumns('t')} from ${n.schema}.secrets t where t.developer_id = $1::uuid and t.name = $2::text`,
    params: [a.developerId, a.name],
  };
}

/**
 * Inside a write transaction: locks `name` and says which of value, description and metadata equal
 * the given ones. The comparison happens in the database: no value comes back, nothing is audited.
 * `same_value` is null when the row is under another master key.
 */
export function compareSecret(
  n: SqlNames,
  a: Tenant & { name: string; value: string; description: string | null; metadata: Record<string, unknown> },
): Statement {
  const p = new Params();
  const developer = p.bind(a.developerId, 'uuid');
  const name = p.bind(a.name, 'text');
  const key = p.bind(a.keyId, 'text');
  const tk = p.bind(a.tenantKey, 'text');
  const text = `select c.secret_id, c.key_id, c.intact,
         case when c.intact then ${decryptBound(n, 'c.value_encrypted', tk, 'c', 'c.name', 'c.version')} = ${p.bind(a.value, 'text')} end as same_value,
         c.description is not distinct from ${p.bind(a.description, 'text')} as same_description,
         c.metadata = ${p.bind(JSON.stringify(a.metadata), 'jsonb')} as same_metadata
    from (select t.*, case when t.key_id = ${key} then ${intact(n, tk, 't')} end as intact
            from ${n.schema}.secrets t where t.developer_id = ${developer} and t.name = ${name} for update) c`;
  return { text, params: p.values };
}

// ---------------------------------------------------------------------------------------------
// Writes: each one audits what it wrote, in the same statement.

/** Inserts a secret; `createdAt`/`updatedAt` default to now (an import carries them over). */
export function insertSecret(
  n: SqlNames,
  a: Tenant & { secretId: string; secret: ParsedCreate; createdAt?: Date | null; updatedAt?: Date | null; provenance?: Provenance },
): Statement {
  const p = new Params();
  const s = a.secret;
  const row = `(select ${p.bind(a.secretId, 'uuid')} as secret_id) r`;
  const tk = p.bind(a.tenantKey, 'text');
  const developer = p.bind(a.developerId, 'uuid');
  const name = p.bind(s.name, 'text');
  const expiresAt = p.bind(s.expiresAt?.toISOString() ?? null, 'timestamptz');
  const tools = p.bind(s.allowedTools, 'text[]');
  const hosts = p.bind(s.allowedHosts, 'text[]');
  const mac = rowMac(n, tk, { developer, id: 'r.secret_id', name, version: '1', expiresAt, allowedTools: tools, allowedHosts: hosts });
  const text = `with ins as (
       insert into ${n.schema}.secrets (secret_id, developer_id, name, description, value_encrypted, key_id, version,
                                        metadata, expires_at, allowed_tools, allowed_hosts, created_at, updated_at, binding, mac)
       select r.secret_id, ${developer}, ${name}, ${p.bind(s.description, 'text')},
              ${encryptBound(n, p.bind(s.value, 'text'), tk, 'r', name, '1')},
              ${p.bind(a.keyId, 'text')}, 1, ${p.bind(JSON.stringify(s.metadata), 'jsonb')}, ${expiresAt}, ${tools}, ${hosts},
              coalesce(${p.bind(a.createdAt?.toISOString() ?? null, 'timestamptz')}, now()),
              coalesce(${p.bind(a.updatedAt?.toISOString() ?? null, 'timestamptz')}, now()),
              2, ${mac}
         from ${row}
       returning *
     ), logged as (
       ${audit(n, { action: 'create', detail: withProvenance(`jsonb_build_object('version', i.version, 'keyId', i.key_id)`, p, a.provenance) }, 'ins', 'i')}
     )
     select ${infoColumns('ins')} from ins`;
  return { text, params: p.values };
}

/**
 * CTE `cur`: the row a write is about, locked, with `intact` (its HMAC checked; null when the
 * row is not under the writer's key, so it can be neither checked nor re-encrypted). A write
 * changes the row only when it is intact, so it never signs what someone else changed.
 */
function current(n: SqlNames, tk: string, developer: string, name: string, underKey: string, extra = '', columns = ''): string {
  return `cur as (
       select t.secret_id, t.key_id,${columns} case when ${underKey} then ${intact(n, tk, 't')} end as intact
         from ${n.schema}.secrets t where t.developer_id = ${developer} and t.name = ${name}${extra}
          for update
     )`;
}

/** The result of a guarded write: the written row's columns, and `cur_key_id` / `cur_intact` of the row it found. */
function guardedResult(): string {
  return `select ${infoColumns('upd')}, cur.key_id as cur_key_id, cur.intact as cur_intact
       from cur left join upd on upd.secret_id = cur.secret_id`;
}

/** What `updateSecret` changes; absent fields stay. */
export interface SecretChange {
  value?: string;
  rename?: string;
  description?: string | null;
  /** `merge`: keys set, `remove`: keys dropped (update's patch); `replace`: the whole object (import). */
  metadata?: { merge: Record<string, unknown>; remove: string[] } | { replace: Record<string, unknown> };
  expiresAt?: Date | null;
  allowedTools?: string[] | null;
  allowedHosts?: string[] | null;
}

/** Field names an update records in its audit detail, in this order. */
const AUDITED_FIELDS = ['value', 'description', 'metadata', 'expiresAt', 'allowedTools', 'allowedHosts'] as const;

/**
 * Changes `name`; audits `rename` and/or `update` (with the fields changed). Every update
 * re-encrypts (the values are bound to the name, and a row from before the binding is bound
 * now) and signs the new name, version, expiry and policy. See `guardedResult` for the row.
 */
export function updateSecret(n: SqlNames, a: Tenant & { name: string; change: SecretChange; provenance?: Provenance }): Statement {
  const p = new Params();
  const c = a.change;
  const tk = p.bind(a.tenantKey, 'text');
  const key = p.bind(a.keyId, 'text');
  const newName = c.rename !== undefined ? p.bind(c.rename, 'text') : 't.name';
  const newVersion = c.value !== undefined ? 't.version + 1' : 't.version';
  const expiresAt = c.expiresAt !== undefined ? p.bind(c.expiresAt?.toISOString() ?? null, 'timestamptz') : 't.expires_at';
  const tools = c.allowedTools !== undefined ? p.bind(c.allowedTools, 'text[]') : 't.allowed_tools';
  const hosts = c.allowedHosts !== undefined ? p.bind(c.allowedHosts, 'text[]') : 't.allowed_hosts';
  const reencrypt = (column: string, version: string): string =>
    encryptBound(n, decryptBound(n, `t.${column}`, tk, 't', 't.name', version), tk, 't', newName, version);
  const sets: string[] = [];
  if (c.value !== undefined) {
    sets.push(
      `value_encrypted = ${encryptBound(n, p.bind(c.value, 'text'), tk, 't', newName, newVersion)}`,
      `key_id = ${key}`,
      `version = ${newVersion}`,
      CLEAR_PREVIOUS,
    );
  } else {
    sets.push(
      `value_encrypted = ${reencrypt('value_encrypted', 't.version')}`,
      `previous_value_encrypted = case when t.previous_value_encrypted is not null then ${reencrypt('previous_value_encrypted', 't.previous_version')} end`,
    );
  }
  if (c.rename !== undefined) sets.push(`name = ${newName}`);
  if (c.description !== undefined) sets.push(`description = ${p.bind(c.description, 'text')}`);
  if (c.metadata !== undefined) {
    sets.push(
      'replace' in c.metadata
        ? `metadata = ${p.bind(JSON.stringify(c.metadata.replace), 'jsonb')}`
        : `metadata = (t.metadata || ${p.bind(JSON.stringify(c.metadata.merge), 'jsonb')}) - ${p.bind(c.metadata.remove, 'text[]')}`,
    );
  }
  if (c.expiresAt !== undefined) sets.push(`expires_at = ${expiresAt}`);
  if (c.allowedTools !== undefined) sets.push(`allowed_tools = ${tools}`);
  if (c.allowedHosts !== undefined) sets.push(`allowed_hosts = ${hosts}`);
  const mac = rowMac(n, tk, { developer: 't.developer_id', id: 't.secret_id', name: newName, version: newVersion, expiresAt, allowedTools: tools, allowedHosts: hosts });
  sets.push('binding = 2', `mac = ${mac}`);
  const fields = AUDITED_FIELDS.filter((f) => c[f] !== undefined);
  const records: AuditRecord[] = [];
  if (c.rename !== undefined) {
    records.push({ action: 'rename', detail: p.bind(JSON.stringify({ from: a.name, to: c.rename }), 'jsonb') });
  }
  if (fields.length) {
    const detail = `jsonb_build_object('fields', ${p.bind(JSON.stringify(fields), 'jsonb')}, 'version', u.version)`;
    records.push({ action: 'update', detail: withProvenance(detail, p, a.provenance) });
  }
  if (records.length === 0) throw new TypeError('updateSecret needs a change');
  // A previous value under another key cannot be re-encrypted: such a row is refused (null intact).
  const underKey = `t.key_id = ${key} and (t.previous_key_id is null or t.previous_key_id = ${key})`;
  const text = `with ${current(n, tk, p.bind(a.developerId, 'uuid'), p.bind(a.name, 'text'), underKey)}, upd as (
       update ${n.schema}.secrets t set ${sets.join(', ')}, updated_at = now()
         from cur where t.secret_id = cur.secret_id and cur.intact
       returning t.*
     ), logged as (
       ${audit(n, records, 'upd', 'u')}
     )
     ${guardedResult()}`;
  return { text, params: p.values };
}

/** Deletes `name`; returns its id (no row: not found). */
export function deleteSecret(n: SqlNames, a: { developerId: string; name: string }): Statement {
  const text = `with del as (
       delete from ${n.schema}.secrets t where t.developer_id = $1::uuid and t.name = $2::text
       returning t.developer_id, t.secret_id, t.name, t.version
     ), logged as (
       ${audit(n, { action: 'delete', detail: `jsonb_build_object('version', d.version)` }, 'del', 'd')}
     )
     select secret_id from del`;
  return { text, params: [a.developerId, a.name] };
}

/**
 * New current value; the old one stays readable for `graceMs` (0: dropped at once). The old
 * ciphertext is bound to its own version already, so it moves to `previous` as it is (a row from
 * before the binding is re-encrypted). See `guardedResult` for the row.
 */
export function rotateSecret(n: SqlNames, a: Tenant & { name: string; value: string; graceMs: number }): Statement {
  const p = new Params();
  const developer = p.bind(a.developerId, 'uuid');
  const name = p.bind(a.name, 'text');
  const grace = p.bind(a.graceMs, 'float8');
  const tk = p.bind(a.tenantKey, 'text');
  const key = p.bind(a.keyId, 'text');
  const previous = `case when t.binding = 2 then t.value_encrypted
           else ${encryptBound(n, decrypt(n, 't.value_encrypted', tk, 't'), tk, 't', 't.name', 't.version')} end`;
  const mac = rowMac(n, tk, { ...rowColumns('t'), version: 't.version + 1' });
  const text = `with ${current(n, tk, developer, name, `t.key_id = ${key}`)}, upd as (
       update ${n.schema}.secrets t set
         previous_value_encrypted = case when ${grace} > 0 then ${previous} end,
         previous_key_id = case when ${grace} > 0 then t.key_id end,
         previous_version = case when ${grace} > 0 then t.version end,
         previous_valid_until = case when ${grace} > 0 then now() + ${grace} * interval '1 millisecond' end,
         value_encrypted = ${encryptBound(n, p.bind(a.value, 'text'), tk, 't', 't.name', 't.version + 1')},
         key_id = ${key},
         version = t.version + 1,
         binding = 2,
         mac = ${mac},
         updated_at = now()
         from cur where t.secret_id = cur.secret_id and cur.intact
       returning t.*
     ), logged as (
       ${audit(n, { action: 'rotate', detail: `jsonb_build_object('version', u.version, 'keyId', u.key_id, 'graceUntil', u.previous_valid_until)` }, 'upd', 'u')}
     )
     ${guardedResult()}`;
  return { text, params: p.values };
}

/**
 * Makes the value before the last rotation current again, re-encrypted as the new version. No
 * row: absent, or nothing in grace. See `guardedResult` for the row.
 */
export function rollbackSecret(n: SqlNames, a: Tenant & { name: string }): Statement {
  const p = new Params();
  const tk = p.bind(a.tenantKey, 'text');
  const key = p.bind(a.keyId, 'text');
  const restored = encryptBound(n, decryptBound(n, 't.previous_value_encrypted', tk, 't', 't.name', 't.previous_version'), tk, 't', 't.name', 't.version + 1');
  const mac = rowMac(n, tk, { ...rowColumns('t'), version: 't.version + 1' });
  const underKey = `t.key_id = ${key} and t.previous_key_id = ${key}`;
  const cur = current(n, tk, p.bind(a.developerId, 'uuid'), p.bind(a.name, 'text'), underKey, ' and t.previous_valid_until > now()', ' t.previous_version,');
  const text = `with ${cur}, upd as (
       update ${n.schema}.secrets t set value_encrypted = ${restored}, key_id = t.previous_key_id,
              version = t.version + 1, binding = 2, mac = ${mac}, updated_at = now(), ${CLEAR_PREVIOUS}
         from cur where t.secret_id = cur.secret_id and cur.intact
       returning t.*, cur.previous_version as restored_version
     ), logged as (
       ${audit(n, { action: 'rollback', detail: `jsonb_build_object('version', u.version, 'restoredVersion', u.restored_version)` }, 'upd', 'u')}
     )
     ${guardedResult()}`;
  return { text, params: p.values };
}

/** Rows still (current or previous value) under key `keyId`, every developer (maintenance mode). */
export function countUnderKey(n: SqlNames, keyId: string): Statement {
  return { text: `select count(*) as n from ${n.schema}.secrets where key_id = $1 or previous_key_id = $1`, params: [keyId] };
}

/** Locks the next batch of rows under `keyId`, skipping rows another rekey holds. */
export function pickUnderKey(n: SqlNames, keyId: string, limit: number): Statement {
  return {
    text: `select secret_id, developer_id from ${n.schema}.secrets where key_id = $1 or previous_key_id = $1
            order by secret_id limit $2 for update skip locked`,
    params: [keyId, limit],
  };
}

/**
 * Re-encrypts the current and previous values of the rows `ids` from key `from` to key `to`, and
 * signs them under the new key. A row is changed only when its HMAC checks out under the key it is
 * under (`intact`); the result has one row per id, with `intact` and, when written, the name.
 */
export function rekeyBatch(
  n: SqlNames,
  a: { ids: string[]; oldTenantKeys: string[]; newTenantKeys: string[]; from: string; to: string },
): Statement {
  const reencrypt = (column: string, version: string): string =>
    encryptBound(n, decryptBound(n, `t.${column}`, 'b.old_key', 't', 't.name', version), 'b.new_key', 't', 't.name', version);
  const text = `with b as (
       select * from unnest($1::uuid[], $2::text[], $3::text[]) as b(id, old_key, new_key)
     ), cur as (
       select t.secret_id, case when t.key_id = $4::text then ${intact(n, 'b.old_key', 't')}
                                when t.key_id = $5::text then ${intact(n, 'b.new_key', 't')} end as intact
         from ${n.schema}.secrets t join b on t.secret_id = b.id
     ), upd as (
       update ${n.schema}.secrets t set
         value_encrypted = case when t.key_id = $4::text then ${reencrypt('value_encrypted', 't.version')} else t.value_encrypted end,
         key_id = case when t.key_id = $4::text then $5::text else t.key_id end,
         previous_value_encrypted = case when t.previous_key_id = $4::text then ${reencrypt('previous_value_encrypted', 't.previous_version')}
           else t.previous_value_encrypted end,
         previous_key_id = case when t.previous_key_id = $4::text then $5::text else t.previous_key_id end,
         mac = case when t.key_id = $4::text then ${rowMac(n, 'b.new_key', rowColumns('t'))} else t.mac end,
         binding = case when t.key_id = $4::text then 2 else t.binding end
       from b, cur where t.secret_id = b.id and cur.secret_id = t.secret_id and cur.intact
       returning t.developer_id, t.secret_id, t.name
     ), logged as (
       ${audit(n, { action: 'rekey', detail: `jsonb_build_object('from', $4::text, 'to', $5::text)` }, 'upd', 'u')}
     )
     select cur.secret_id, cur.intact, upd.developer_id, upd.name::text as name from cur left join upd on upd.secret_id = cur.secret_id`;
  return { text, params: [a.ids, a.oldTenantKeys, a.newTenantKeys, a.from, a.to] };
}

/** Locks the next rows from before the binding under `keyId` (every developer; maintenance). */
export function pickUnbound(n: SqlNames, keyId: string, limit: number): Statement {
  return {
    text: `select secret_id, developer_id from ${n.schema}.secrets
            where binding = 1 and key_id = $1 and (previous_key_id is null or previous_key_id = $1)
            order by secret_id limit $2 for update skip locked`,
    params: [keyId, limit],
  };
}

/**
 * Binds rows from before the binding (binding 1) to their name and version, and signs them. There
 * is nothing to check such a row against: it is taken as it is (audited as a rekey to the same key).
 */
export function rebindBatch(n: SqlNames, a: { ids: string[]; tenantKeys: string[]; keyId: string }): Statement {
  const rebind = (column: string, version: string): string =>
    encryptBound(n, decrypt(n, `t.${column}`, 'b.key', 't'), 'b.key', 't', 't.name', version);
  const text = `with b as (
       select * from unnest($1::uuid[], $2::text[]) as b(id, key)
     ), upd as (
       update ${n.schema}.secrets t set
         value_encrypted = ${rebind('value_encrypted', 't.version')},
         previous_value_encrypted = case when t.previous_value_encrypted is not null then ${rebind('previous_value_encrypted', 't.previous_version')} end,
         mac = ${rowMac(n, 'b.key', rowColumns('t'))},
         binding = 2
       from b where t.secret_id = b.id and t.binding = 1 and t.key_id = $3::text
       returning t.developer_id, t.secret_id, t.name
     ), logged as (
       ${audit(n, { action: 'rekey', detail: `jsonb_build_object('from', $3::text, 'to', $3::text, 'binding', 2)` }, 'upd', 'u')}
     )
     select developer_id, name::text as name from upd`;
  return { text, params: [a.ids, a.tenantKeys, a.keyId] };
}

/** A row from before the binding that does not decrypt under its own key: marked unusable (binding 0), for good. */
export function quarantineUnbound(n: SqlNames, a: { id: string; keyId: string }): Statement {
  const text = `with upd as (
       update ${n.schema}.secrets t set binding = 0 where t.secret_id = $1::uuid and t.binding = 1 and t.key_id = $2::text
       returning t.developer_id, t.secret_id, t.name
     ), logged as (
       ${audit(n, { action: 'rekey', detail: `jsonb_build_object('from', $2::text, 'to', $2::text, 'binding', 0)` }, 'upd', 'u')}
     )
     select count(*) as n from upd`;
  return { text, params: [a.id, a.keyId] };
}

/**
 * Records that every row is bound (REBIND_VERSION in `migrations`) when no unbound row is left;
 * from then on an unbound row is refused. Returns `done`.
 */
export function finishRebind(n: SqlNames, migrationName: string): Statement {
  return {
    text: `with left_over as (select count(*) as n from ${n.schema}.secrets where binding = 1), ins as (
       insert into ${n.schema}.migrations (version, name)
       select ${REBIND_VERSION}, $1::text where (select n from left_over) = 0
       on conflict (version) do nothing
       returning 1
     )
     select (select n from left_over) = 0 as done`,
    params: [migrationName],
  };
}

/** Row counts by key id for keys other than `keyId` (current and previous values). */
export function otherKeys(n: SqlNames, keyId: string): Statement {
  return {
    text: `select key_id, count(*) as n from (
         select key_id from ${n.schema}.secrets union all
         select previous_key_id from ${n.schema}.secrets where previous_key_id is not null) k
        where key_id <> $1 group by key_id`,
    params: [keyId],
  };
}

// ---------------------------------------------------------------------------------------------
// SQL functions, created by migration 1 (one round trip per read: each sets the tenant itself).
// Their text is pinned by a test: stores that ran migration 1 hold exactly this. A change here
// needs a new migration that replaces the function (see migrations.ts).

/** The plpgsql functions of migration 1. */
export function sqlFunctions(n: SqlNames): string {
  const s = n.schema;
  return `
-- Opens a write transaction for one developer: sets the RLS setting, drops expired grace values.
create function ${s}.begin_tenant(p_developer uuid) returns void
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  update ${s}.secrets t
     set ${CLEAR_PREVIOUS}
   where t.developer_id = p_developer and t.previous_valid_until <= now();
end $fn$;

-- Reads names of one developer in one statement (one round trip). With p_action, also audits and
-- decrypts the rows whose key id matches (others come back with a null value).
create function ${s}.fetch(p_developer uuid, p_names text[], p_action text, p_tenant_key text, p_key_id text, p_previous boolean)
returns setof ${s}.secret_info
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  if p_action is null then
    return query
      select ${infoColumns('t')}, null::text, null::text
        from ${s}.secrets t where t.developer_id = p_developer and t.name = any(p_names);
  else
    return query
      with hit as (
        select * from ${s}.secrets t where t.developer_id = p_developer and t.name = any(p_names)
      ), logged as (
        ${audit(n, { action: { sql: 'p_action' }, detail: `jsonb_build_object('version', h.version)` }, 'hit', 'h')}
      )
      select ${infoColumns('h')},
        case when h.key_id = p_key_id
          then ${decrypt(n, 'h.value_encrypted', 'p_tenant_key', 'h')} end,
        case when p_previous and h.previous_valid_until > now() and h.previous_key_id = p_key_id
          then ${decrypt(n, 'h.previous_value_encrypted', 'p_tenant_key', 'h')} end
      from hit h;
  end if;
end $fn$;

create function ${s}.list_page(p_developer uuid, p_after text, p_prefix text, p_filter jsonb, p_limit integer)
returns setof ${s}.secret_info
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select ${infoColumns('t')}, null::text, null::text
      from ${s}.secrets t
     where t.developer_id = p_developer
       and (p_after is null or t.name > p_after)
       and starts_with(t.name, p_prefix)
       and (p_filter is null or t.metadata @> p_filter)
     order by t.name
     limit p_limit;
end $fn$;

create function ${s}.audit_page(p_developer uuid, p_name text, p_since timestamptz, p_limit integer)
returns setof ${s}.audit
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select a.* from ${s}.audit a
     where a.developer_id = p_developer
       and (p_name is null or a.name = p_name or a.secret_id = (
             select t.secret_id from ${s}.secrets t where t.developer_id = p_developer and t.name = p_name))
       and (p_since is null or a.at >= p_since)
     order by a.at desc, a.audit_id desc
     limit p_limit;
end $fn$;
`;
}

/**
 * The key guard of migration 2: table \`rekeys\` (rekeys in progress) and function \`begin_write\`,
 * which opens every write transaction (begin_tenant, then the check that the developer's rows are
 * under the writer's key). Pinned like migration 1.
 */
export function keyGuard(n: SqlNames): string {
  const s = n.schema;
  const rowKeys = (cmp: string): string =>
    [
      `(select t.key_id as k from ${s}.secrets t where t.developer_id = p_developer and t.key_id ${cmp} p_key_id limit 1)`,
      `(select t.previous_key_id from ${s}.secrets t where t.developer_id = p_developer and t.previous_key_id ${cmp} p_key_id limit 1)`,
    ].join('\n    union all\n    ');
  return `
create table ${s}.rekeys (
  from_key text not null,
  to_key text not null,
  started_at timestamptz not null default now(),
  primary key (from_key, to_key),
  constraint rekeys_two_keys check (from_key <> to_key)
);
create index secrets_developer_key_idx on ${s}.secrets (developer_id, key_id);
create index secrets_developer_previous_key_idx on ${s}.secrets (developer_id, previous_key_id) where previous_key_id is not null;

-- One key id of the developer's rows (current or previous value) other than p_key_id; four index probes.
create function ${s}.other_key(p_developer uuid, p_key_id text) returns text
language sql stable as $fn$
  select k from (
    ${rowKeys('<')}
    union all
    ${rowKeys('>')}
  ) o limit 1
$fn$;

-- Opens a write transaction under key p_key_id. Refused (allowed = false) when the developer's rows
-- are under another key, unless a rekey between the keys is in progress.
create function ${s}.begin_write(p_developer uuid, p_key_id text)
returns table (allowed boolean, row_key text, rekey_keys text[])
language plpgsql volatile as $fn$
declare
  v_other text;
  v_rekey text[];
begin
  perform ${s}.begin_tenant(p_developer);
  perform pg_advisory_xact_lock_shared(${REKEY_LOCK_CLASS}, hashtext('${s}'));
  v_other := ${s}.other_key(p_developer, p_key_id);
  if v_other is null then
    if not exists (select 1 from ${s}.secrets t where t.developer_id = p_developer) then
      -- No rows yet: this developer's writers take turns, so two keys cannot both start.
      perform pg_advisory_xact_lock(hashtextextended('${s}:' || p_developer::text, 0));
    end if;
    -- Again, with a snapshot no older than the one that saw rows (or that holds the turn).
    v_other := ${s}.other_key(p_developer, p_key_id);
  end if;
  if v_other is null then
    return query select true, null::text, null::text[];
    return;
  end if;
  select array_agg(distinct k) into v_rekey
    from ${s}.rekeys r cross join lateral unnest(array[r.from_key, r.to_key]) k
   where p_key_id in (r.from_key, r.to_key);
  if v_rekey is not null then
    select ks.k into v_other from (
      select t.key_id as k from ${s}.secrets t where t.developer_id = p_developer
      union
      select t.previous_key_id from ${s}.secrets t where t.developer_id = p_developer and t.previous_key_id is not null
    ) ks where ks.k <> all (v_rekey) limit 1;
    if v_other is null then
      return query select true, null::text, v_rekey;
      return;
    end if;
  end if;
  return query select false, v_other, v_rekey;
end $fn$;
`;
}

/** Columns of type `secret_row` (migration 4): `secret_info` but the values, then `intact` and the values as bytes. */
const SECRET_ROW = `secret_id uuid, developer_id uuid, name text, description text, metadata jsonb, version integer,
  key_id text, expires_at timestamptz, allowed_tools text[], allowed_hosts text[],
  created_at timestamptz, updated_at timestamptz,
  previous_version integer, previous_key_id text, previous_valid_until timestamptz,
  intact boolean, value bytea, previous_value bytea`;

/**
 * Function `read_secrets` (migration 4; migration 7 replaces it with `logged` auditing a batch in
 * one row): reads names of one developer in one statement, every row under p_key_id with
 * `intact`; with p_action, also audits (`logged`, over CTE `hit` aliased `h`) and decrypts the
 * intact rows.
 */
function readSecretsFunction(n: SqlNames, create: 'create function' | 'create or replace function', logged: string): string {
  const s = n.schema;
  const intactOrNull = keyedIntact(n, (a) => rowMac(n, 'p_tenant_key', rowColumns(a)));
  return `
-- Reads names of one developer in one statement. Every row under p_key_id comes with intact (its
-- HMAC checked); with p_action, also audits and decrypts the intact rows.
${create} ${s}.read_secrets(p_developer uuid, p_names text[], p_action text, p_tenant_key text, p_key_id text, p_previous boolean)
returns setof ${s}.secret_row
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  if p_action is null then
    return query
      ${describedNames(s, intactOrNull)};
  else
    return query
      with hit as (
        select t.*, ${intactOrNull('t')} as intact from ${s}.secrets t where t.developer_id = p_developer and t.name = any(p_names)
      ), logged as (
        ${logged}
      )
      select ${infoColumns('h')}, h.intact,
        case when h.intact
          then convert_to(${decryptBound(n, 'h.value_encrypted', 'p_tenant_key', 'h', 'h.name', 'h.version')}, 'UTF8') end,
        case when h.intact and p_previous and h.previous_valid_until > now() and h.previous_key_id = p_key_id
          then convert_to(${decryptBound(n, 'h.previous_value_encrypted', 'p_tenant_key', 'h', 'h.name', 'h.previous_version')}, 'UTF8') end
      from hit h;
  end if;
end $fn$;
`;
}

/**
 * The binding of migration 4: columns `binding` (1: passphrase bound to developer and id, as
 * before; 2: also to name and version, with `mac`; 0: from before, did not decrypt when it was to
 * be re-bound, refused) and `mac`, type `secret_row`, and the read
 * functions that check every row they return (`read_secrets`, `list_secrets`). Pinned like migration 1.
 */
export function bindingSchema(n: SqlNames): string {
  const s = n.schema;
  const intactOrNull = keyedIntact(n, (a) => rowMac(n, 'p_tenant_key', rowColumns(a)));
  return `
alter table ${s}.secrets add column binding smallint not null default 1;
alter table ${s}.secrets alter column binding set default 2;
alter table ${s}.secrets add column mac text;
alter table ${s}.secrets add constraint secrets_binding check (binding in (0, 1, 2) and (binding <> 2 or mac is not null));
create index secrets_unbound_idx on ${s}.secrets (secret_id) where binding = 1;

create type ${s}.secret_row as (
  ${SECRET_ROW});

${readSecretsFunction(n, 'create function', audit(n, { action: { sql: 'p_action' }, detail: `jsonb_build_object('version', h.version)` }, 'hit', 'h'))}
-- One page of descriptions of one developer, by name, each with intact.
create function ${s}.list_secrets(p_developer uuid, p_after text, p_prefix text, p_filter jsonb, p_limit integer, p_tenant_key text, p_key_id text)
returns setof ${s}.secret_row
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select ${infoColumns('t')}, ${intactOrNull('t')}, null::bytea, null::bytea
      from ${s}.secrets t
     where t.developer_id = p_developer
       and (p_after is null or t.name > p_after)
       and starts_with(t.name, p_prefix)
       and (p_filter is null or t.metadata @> p_filter)
     order by t.name
     limit p_limit;
end $fn$;
`;
}

/** The index range of one page of a developer's names (migration 6; `list_described` of migration 10 too). */
const KEYSET_BOUNDS = `t.developer_id = p_developer
       and t.name >= greatest((p_after || chr(1)) collate "C", p_prefix collate "C")
       and t.name < p_prefix || '~'
       and (p_filter is null or t.metadata @> p_filter)`;

/**
 * Migration 6: the paging functions `list_page` and `list_secrets` with their bounds as one
 * index range (`name >= greatest(after || chr(1), prefix)` — in byte order the least string
 * after `after` — and `name < prefix || '~'`), read in name order from the (developer_id, name)
 * index whatever the estimates (`enable_seqscan` and `enable_bitmapscan` off for these functions'
 * one query), so that every page, in a generic plan or a custom one, stops after `limit` rows.
 * Migration 1's `p_after is null or name > p_after` was a filter in the generic plan PostgreSQL
 * switches to after five calls: every page read the developer's rows from the first. With the
 * range alone the planner still picked, on a low estimate, a bitmap scan and a sort of every row
 * after the cursor (test/integration/regression-paging-reads-every-row.test.ts). `'~'` sorts after every
 * character a name may hold (^[A-Za-z][A-Za-z0-9_]*$; the column is collate "C"), so the range
 * holds exactly the names that start with the prefix (no starts_with() filter, whose guessed
 * selectivity made the planner sort every row). Pinned like migration 1.
 */
export function keysetPaging(n: SqlNames): string {
  const s = n.schema;
  const intactOrNull = keyedIntact(n, (a) => rowMac(n, 'p_tenant_key', rowColumns(a)));
  return `
create or replace function ${s}.list_page(p_developer uuid, p_after text, p_prefix text, p_filter jsonb, p_limit integer)
returns setof ${s}.secret_info
language plpgsql volatile set enable_seqscan = off set enable_bitmapscan = off as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select ${infoColumns('t')}, null::text, null::text
      from ${s}.secrets t
     where ${KEYSET_BOUNDS}
     order by t.name
     limit p_limit;
end $fn$;

${describedPage(`create or replace function ${s}.list_secrets(p_developer uuid, p_after text, p_prefix text, p_filter jsonb, p_limit integer, p_tenant_key text, p_key_id text)`, s, intactOrNull)}
`;
}

/** The function that reads one page of descriptions, each with `intactOrNull` (migrations 6 and 10). */
function describedPage(head: string, s: string, intactOrNull: (a: string) => string): string {
  return `${head}
returns setof ${s}.secret_row
language plpgsql volatile set enable_seqscan = off set enable_bitmapscan = off as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select ${infoColumns('t')}, ${intactOrNull('t')}, null::bytea, null::bytea
      from ${s}.secrets t
     where ${KEYSET_BOUNDS}
     order by t.name
     limit p_limit;
end $fn$;`;
}

/**
 * Migration 8: `list_names_sized`, a page of names of `p_min`..`p_max` characters, on the same
 * index range and in the same order as `list_page` (migration 6); the length is a filter applied
 * as the index is walked, so only matching names leave the database. Pinned like migration 1.
 */
export function sizedNames(n: SqlNames): string {
  const s = n.schema;
  return `
create function ${s}.list_names_sized(p_developer uuid, p_after text, p_prefix text, p_min integer, p_max integer, p_limit integer)
returns table (name text)
language plpgsql volatile set enable_seqscan = off set enable_bitmapscan = off as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select t.name::text
      from ${s}.secrets t
     where t.developer_id = p_developer
       and t.name >= greatest((p_after || chr(1)) collate "C", p_prefix collate "C")
       and t.name < p_prefix || '~'
       and char_length(t.name) between p_min and p_max
     order by t.name
     limit p_limit;
end $fn$;
`;
}

/**
 * Migration 9, reads on a hot standby: `read_unlogged`, the values of `read_secrets` (every row
 * under p_key_id with `intact`, intact rows decrypted) without its audit insert, which a standby
 * refuses (25006). The store calls it only on a standby behind `readUrl` and writes the audit
 * record of the read to the primary itself (replica.ts, AuditBuffer). On a server that is not in
 * recovery it refuses to run: there the audited `read_secrets` is the one way to read a value.
 */
export function standbyReads(n: SqlNames): string {
  const s = n.schema;
  const intactOrNull = keyedIntact(n, (a) => rowMac(n, 'p_tenant_key', rowColumns(a)));
  return `
create function ${s}.read_unlogged(p_developer uuid, p_names text[], p_tenant_key text, p_key_id text, p_previous boolean)
returns setof ${s}.secret_row
language plpgsql volatile as $fn$
begin
  if not pg_is_in_recovery() then
    raise exception 'read_unlogged runs on a standby only; read values on the primary with read_secrets' using errcode = '42501';
  end if;
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    with hit as (
      select t.*, ${intactOrNull('t')} as intact from ${s}.secrets t where t.developer_id = p_developer and t.name = any(p_names)
    )
    select ${infoColumns('h')}, h.intact,
      case when h.intact
        then convert_to(${decryptBound(n, 'h.value_encrypted', 'p_tenant_key', 'h', 'h.name', 'h.version')}, 'UTF8') end,
      case when h.intact and p_previous and h.previous_valid_until > now() and h.previous_key_id = p_key_id
        then convert_to(${decryptBound(n, 'h.previous_value_encrypted', 'p_tenant_key', 'h', 'h.name', 'h.previous_version')}, 'UTF8') end
    from hit h;
end $fn$;
`;
}

/**
 * Migration 10: the reads that decrypt nothing check each row's HMAC with PostgreSQL's own
 * sha256() instead of pgcrypto's hmac() (`hmac_sha256_hex`, given the key's pads by the client:
 * macPads), so describing and listing never load pgcrypto; the embedded store then boots without
 * its module, 110–130 ms of a cold `secrets list` or lint with the store (issue 17). `describe_secrets` is `read_secrets` without an action (migration 4),
 * `list_described` is migration 6's `list_secrets`; both return the same rows. Pinned like
 * migration 1.
 */
export function coreMacReads(n: SqlNames): string {
  const s = n.schema;
  const intactOrNull = keyedIntact(n, (a) => coreMac(n, a));
  return `
create function ${s}.hmac_sha256_hex(p_data text, p_ipad bytea, p_opad bytea)
returns text
language sql immutable strict parallel safe as $fn$
  select encode(sha256(p_opad || sha256(p_ipad || convert_to(p_data, 'UTF8'))), 'hex')
$fn$;

create function ${s}.describe_secrets(p_developer uuid, p_names text[], p_key_id text, p_mac_ipad bytea, p_mac_opad bytea)
returns setof ${s}.secret_row
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    ${describedNames(s, intactOrNull)};
end $fn$;

${describedPage(`create function ${s}.list_described(p_developer uuid, p_after text, p_prefix text, p_filter jsonb, p_limit integer, p_key_id text, p_mac_ipad bytea, p_mac_opad bytea)`, s, intactOrNull)}
`;
}

/** Values on a standby, not audited in the database (function `read_unlogged` of migration 9). */
export function fetchUnlogged(n: SqlNames, a: { developerId: string; names: readonly string[]; tenantKey: string; keyId: string; previous: boolean }): Statement {
  return {
    text: `select * from ${n.schema}.read_unlogged($1::uuid, $2::text[], $3::text, $4::text, $5::boolean)`,
    params: [a.developerId, a.names, a.tenantKey, a.keyId, a.previous],
  };
}

/**
 * Writes buffered audit records of reads made on a standby (replica.ts), for one developer: a
 * JSON array of `{ secret_id, name, names, action, detail, at }`, as `auditBatch` would have
 * written them in the read's own statement, with the time of the read. Runs after `beginTenant`
 * in the same transaction (row-level security checks each record's developer).
 */
export function appendAudit(n: SqlNames, a: { developerId: string; records: string }): Statement {
  return {
    text: `with r as (
       select * from jsonb_to_recordset($2::jsonb) as r(secret_id uuid, name text, names text[], action text, detail jsonb, at timestamptz)
     )
     insert into ${n.schema}.audit (developer_id, secret_id, name, names, action, detail, at)
     select $1::uuid, r.secret_id, r.name, r.names, r.action, r.detail, r.at from r`,
    params: [a.developerId, a.records],
  };
}

/** Transaction-local setting that marks a pruning transaction (`pruneAudit`); alone it unlocks nothing. */
export const AUDIT_PRUNE_SETTING = 'secretref.audit_prune';

/** The youngest audit record pruning may ever delete, whatever the retention asked for. */
export const AUDIT_PRUNE_FLOOR = `interval '1 day'`;

/**
 * Migration 7, a bounded audit: a read writes one record per batch (`names`, see `auditBatch`)
 * instead of one per name; an index on `at` makes pruning by age an index range; and pruning is
 * the one exception to the append-only trigger. A DELETE passes the trigger only for records
 * older than AUDIT_PRUNE_FLOOR, in a transaction marked with AUDIT_PRUNE_SETTING — and the
 * privilege to DELETE is still revoked from everyone: the owner grants it to itself inside the
 * pruning transaction and revokes it before commit (`pruneAuditBegin`), as it lifts row-level
 * security for a rekey. The two policies let the owner's pruning transaction see and delete the
 * old records of every developer, and no other role anything. Pinned like migration 1.
 */
export function boundedAudit(n: SqlNames): string {
  const s = n.schema;
  const pruning = `current_setting('${AUDIT_PRUNE_SETTING}', true) = 'on' and at < now() - ${AUDIT_PRUNE_FLOOR}`;
  const logged = auditBatch(n, { action: 'p_action', developer: 'p_developer', from: 'hit', row: 'h' });
  return `
alter table ${s}.audit add column names text[] collate "C";
create index audit_at_idx on ${s}.audit (at);
${readSecretsFunction(n, 'create or replace function', logged)}
create or replace function ${s}.audit_page(p_developer uuid, p_name text, p_since timestamptz, p_limit integer)
returns setof ${s}.audit
language plpgsql volatile as $fn$
begin
  perform set_config('${TENANT_SETTING}', p_developer::text, true);
  return query
    select a.* from ${s}.audit a
     where a.developer_id = p_developer
       and (p_name is null or a.name = p_name or p_name = any(a.names) or a.secret_id = (
             select t.secret_id from ${s}.secrets t where t.developer_id = p_developer and t.name = p_name))
       and (p_since is null or a.at >= p_since)
     order by a.at desc, a.audit_id desc
     limit p_limit;
end $fn$;

create or replace function ${s}.audit_append_only() returns trigger
language plpgsql as $fn$
begin
  if tg_op = 'DELETE' and current_setting('${AUDIT_PRUNE_SETTING}', true) = 'on' and old.at < now() - ${AUDIT_PRUNE_FLOOR} then
    return old;
  end if;
  raise exception 'the secretref audit is append-only' using errcode = '42501';
end $fn$;
create policy audit_prune_read on ${s}.audit for select to current_user using (${pruning});
create policy audit_prune on ${s}.audit for delete to current_user using (${pruning});
`;
}

/** Opens a pruning transaction (as the owner): marks it, and grants DELETE on the audit for it only. */
export function pruneAuditBegin(n: SqlNames): Statement {
  return {
    text: `select pg_advisory_xact_lock(${REKEY_LOCK_CLASS}, hashtext('${n.schema}:audit_prune'));
      select set_config('${AUDIT_PRUNE_SETTING}', 'on', true);
      grant delete on ${n.schema}.audit to current_user`,
    params: [],
  };
}

/** Deletes up to `limit` audit records older than `before`, oldest first (an index range on `at`); returns `n`. */
export function pruneAuditBatch(n: SqlNames, a: { before: Date; limit: number }): Statement {
  return {
    text: `with doomed as (
       select audit_id from ${n.schema}.audit where at < $1::timestamptz order by at limit $2::integer
     ), gone as (
       delete from ${n.schema}.audit a using doomed d where a.audit_id = d.audit_id returning 1
     )
     select count(*)::integer as n from gone`,
    params: [a.before.toISOString(), a.limit],
  };
}

/** Ends a pruning transaction: DELETE is revoked again before it commits. */
export function pruneAuditEnd(n: SqlNames): Statement {
  return { text: `revoke delete on ${n.schema}.audit from current_user`, params: [] };
}

// ---------------------------------------------------------------------------------------------
// Moving a store (migrate.ts): every column of a developer's rows, values decrypted under the
// source's key, written to the target under its own key through the same binding and HMAC.

/** Timestamps as UTC text with microseconds: a JS Date would drop them (and the HMAC covers expiry). */
const utc = (col: string): string => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Every developer with secrets or audit records, in order (maintenance). */
export function migrationDevelopers(n: SqlNames): Statement {
  return { text: `select developer_id::text as developer_id from ${n.schema}.secrets union select developer_id::text from ${n.schema}.audit order by 1`, params: [] };
}

/** How many secrets and audit records a developer has (maintenance). */
export function developerRowCount(n: SqlNames, developerId: string): Statement {
  return {
    text: `select (select count(*) from ${n.schema}.secrets where developer_id = $1::uuid) + (select count(*) from ${n.schema}.audit where developer_id = $1::uuid) as n`,
    params: [developerId],
  };
}

/**
 * Every secret of one developer with its values decrypted (null when a value is not under
 * `keyId`) and `intact` (its HMAC checked), timestamps as exact text. Not audited: reading for a
 * move is not a use; the move copies the audit as it is (maintenance).
 */
export function exportSecrets(n: SqlNames, a: { developerId: string; tenantKey: string; keyId: string }): Statement {
  const p = new Params();
  const developer = p.bind(a.developerId, 'uuid');
  const tk = p.bind(a.tenantKey, 'text');
  const key = p.bind(a.keyId, 'text');
  const ok = `t.key_id = ${key} and (${intact(n, tk, 't')})`;
  const text = `select t.secret_id::text as secret_id, t.name::text as name, t.description, t.metadata, t.version,
       ${utc('t.expires_at')} as expires_at, t.allowed_tools, t.allowed_hosts,
       t.previous_version, t.previous_key_id is not null as has_previous, ${utc('t.previous_valid_until')} as previous_valid_until,
       ${utc('t.created_at')} as created_at, ${utc('t.updated_at')} as updated_at,
       coalesce(${ok}, false) as intact,
       case when ${ok} then ${decryptBound(n, 't.value_encrypted', tk, 't', 't.name', 't.version')} end as value,
       case when ${ok} and t.previous_key_id = ${key} then ${decryptBound(n, 't.previous_value_encrypted', tk, 't', 't.name', 't.previous_version')} end as previous_value
     from ${n.schema}.secrets t where t.developer_id = ${developer} order by t.secret_id`;
  return { text, params: p.values };
}

/** One developer's audit records, oldest first, `at` as exact text (maintenance). */
export function exportAudit(n: SqlNames, developerId: string): Statement {
  return {
    text: `select secret_id::text as secret_id, name::text as name, names::text[] as names, action, detail, ${utc('at')} as at
             from ${n.schema}.audit where developer_id = $1::uuid order by audit_id`,
    params: [developerId],
  };
}

/**
 * Writes one developer's exported secrets (JSON rows of `exportSecrets`) and audit history (rows of
 * `exportAudit`) in one statement: each value encrypted under the target's key bound to its row,
 * name and version, each row signed; ids, versions and timestamps as they were. A secret id that
 * exists already is left alone; the caller writes a developer only when the target has nothing of
theirs (developerRowCount, same transaction). The audit records are the history, copied in order.
 */
export function importDeveloper(n: SqlNames, a: { developerId: string; tenantKey: string; keyId: string; secrets: string; audit: string }): Statement {
  const p = new Params();
  const developer = p.bind(a.developerId, 'uuid');
  const tk = p.bind(a.tenantKey, 'text');
  const key = p.bind(a.keyId, 'text');
  const rows = p.bind(a.secrets, 'jsonb');
  const history = p.bind(a.audit, 'jsonb');
  const mac = rowMac(n, tk, { developer, id: 'r.secret_id', name: 'r.name', version: 'r.version', expiresAt: 'r.expires_at', allowedTools: 'r.allowed_tools', allowedHosts: 'r.allowed_hosts' });
  const text = `with r as (
       select * from jsonb_to_recordset(${rows}) as r(secret_id uuid, name text, description text, metadata jsonb, version integer, value text,
         expires_at timestamptz, allowed_tools text[], allowed_hosts text[], previous_version integer, previous_value text,
         previous_valid_until timestamptz, created_at timestamptz, updated_at timestamptz)
     ), ins as (
       insert into ${n.schema}.secrets (secret_id, developer_id, name, description, value_encrypted, key_id, version, metadata, expires_at,
                                        allowed_tools, allowed_hosts, previous_value_encrypted, previous_key_id, previous_version,
                                        previous_valid_until, created_at, updated_at, binding, mac)
       select r.secret_id, ${developer}, r.name, r.description, ${encryptBound(n, 'r.value', tk, 'r', 'r.name', 'r.version')}, ${key}, r.version,
              r.metadata, r.expires_at, r.allowed_tools, r.allowed_hosts,
              case when r.previous_value is not null then ${encryptBound(n, 'r.previous_value', tk, 'r', 'r.name', 'r.previous_version')} end,
              case when r.previous_value is not null then ${key} end,
              case when r.previous_value is not null then r.previous_version end,
              case when r.previous_value is not null then r.previous_valid_until end,
              r.created_at, r.updated_at, 2, ${mac}
         from r
       on conflict (secret_id) do nothing
       returning secret_id, name
     ), logged as (
       insert into ${n.schema}.audit (developer_id, secret_id, name, names, action, detail, at)
       select ${developer}, h.secret_id, h.name, h.names, h.action, h.detail, h.at
         from rows from (jsonb_to_recordset(${history}) as (secret_id uuid, name text, names text[], action text, detail jsonb, at timestamptz))
              with ordinality as h(secret_id, name, names, action, detail, at, i)
        order by h.i
       returning 1
     )
     select (select count(*) from ins) as secrets, (select count(*) from logged) as audit, coalesce((select array_agg(name::text) from ins), '{}') as names`;
  return { text, params: p.values };
}

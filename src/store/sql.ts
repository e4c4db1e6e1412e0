/**
 * SQL constants and identifier quoting shared by both backends. Identifiers come from validated
 * configuration (schema) or the catalog (pgcrypto's schema); the statements are in statements.ts.
 */
import { SecretrefError } from '../errors.js';

/**
 * pgp_sym_encrypt options. `s2k-mode=1` (salted, one SHA-256 pass) instead of pgcrypto's default
 * iterated S2K (mode 3, ~65k hash rounds, ≈200–400 µs per decrypt): the passphrase is already a
 * 256-bit HMAC-derived key, so key stretching adds no strength, while the per-message random salt
 * still gives every ciphertext its own AES-256 key. Decrypt drops to a few µs, which matters
 * because a batch resolution decrypts every name. pgp_sym_decrypt reads the S2K settings from the
 * message, so rows written with any settings (imported, older) still decrypt.
 */
export const PGP_OPTIONS = 'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256, compress-algo=0';

/**
 * The primary's WAL position now, as a standby's replay position will read once it has replayed
 * everything before it. `pg_current_wal_insert_lsn()` points past the header of a page (24 bytes)
 * or segment (40) when nothing has been written on it yet, while `pg_last_wal_replay_lsn()` is the
 * end of the last record, the page boundary: a standby that has replayed everything would never
 * reach it on an idle server. So a position just past a header counts as the boundary.
 */
export const WAL_POSITION = `select (w.l - case when mod(w.l - '0/0'::pg_lsn, pg_size_bytes(current_setting('wal_segment_size'))) = 40 then 40
                   when mod(w.l - '0/0'::pg_lsn, current_setting('wal_block_size')::numeric) = 24 then 24 else 0 end)::text as lsn
          from (select pg_current_wal_insert_lsn() as l) w`;

/** Channel of change notifications (payload: JSON {s: schema, d: developer, n: names, o: origin}). */
export const NOTIFY_CHANNEL = 'secretref_changes';

/** Transaction-local setting the row-level-security policies read. */
export const TENANT_SETTING = 'secretref.developer_id';
/**
 * Read only by the `maintenance` policies of migration 1, which migration 3 drops: any session
 * could set it (security review #8). Kept so migration 1 keeps its text.
 */
export const MAINTENANCE_SETTING = 'secretref.maintenance';

/**
 * Advisory lock (class, hashtext(quoted schema)): every write holds it shared; a rekey takes it
 * exclusively for the moment it checks that no row is left under the old key and ends.
 */
export const REKEY_LOCK_CLASS = 0x73726567;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Double-quoted identifier; throws INVALID_INPUT on anything but a plain lower-case name. */
export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new SecretrefError('INVALID_INPUT', 'The store schema must match ^[a-z_][a-z0-9_]{0,62}$ (e.g. secretref).', {
      path: '/schema',
    });
  }
  return `"${name}"`;
}

/** Quotes an identifier read from the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

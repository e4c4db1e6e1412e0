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

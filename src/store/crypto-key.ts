/**
 * The master key: where it comes from, whether it is strong enough, its fingerprint (key id) and
 * the per-tenant keys derived from it. The master key itself never leaves this module: the
 * database only ever receives per-developer keys derived with HMAC-SHA256, as query parameters,
 * never stored. The key is held in a closure so `console.log(store)` cannot print it.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretrefError } from '../errors.js';
import { shannonBitsPerChar } from '../entropy.js';

/** Minimum characters of a master key. */
export const MIN_MASTER_KEY_LENGTH = 32;
/** Minimum Shannon entropy of the key's characters, in bits per character and in total. */
const MIN_BITS_PER_CHAR = 3;
const MIN_TOTAL_BITS = 128;

/** A new 256-bit master key, base64url (43 characters). */
export function keygen(): string {
  return randomBytes(32).toString('base64url');
}

/** Fingerprint of a master key: 16 hex characters, safe to print and to store. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update('secretref:key-id:v1\0').update(key, 'utf8').digest('hex').slice(0, 16);
}


/** True when most neighbouring characters step by the same amount (`abcdef…`, `123123…`). */
function mostlySequential(s: string): boolean {
  const codes = [...s].map((c) => c.codePointAt(0) ?? 0);
  const steps = new Map<number, number>();
  for (let i = 1; i < codes.length; i++) {
    const d = (codes[i] ?? 0) - (codes[i - 1] ?? 0);
    steps.set(d, (steps.get(d) ?? 0) + 1);
  }
  const top = Math.max(0, ...steps.values());
  return top >= (codes.length - 1) / 2;
}

/** Why `key` is too weak to be a master key, or `undefined` when it is acceptable. */
export function masterKeyWeakness(key: string): string | undefined {
  const chars = [...key];
  if (chars.length < MIN_MASTER_KEY_LENGTH) {
    return `it has ${chars.length} characters; at least ${MIN_MASTER_KEY_LENGTH} are needed`;
  }
  if (new Set(chars).size === 1) return 'it repeats one character';
  const perChar = shannonBitsPerChar(key);
  if (perChar < MIN_BITS_PER_CHAR || perChar * chars.length < MIN_TOTAL_BITS) {
    return `its characters carry about ${Math.floor(perChar * chars.length)} bits of entropy; at least ${MIN_TOTAL_BITS} are needed`;
  }
  if (mostlySequential(key)) return 'it is mostly a regular sequence';
  return undefined;
}

/** The master key in use: its fingerprint and the tenant keys derived from it. */
export interface KeyRing {
  readonly keyId: string;
  /** Set on NO_KEY only. */
  readonly withoutKey?: true;
  /** Passphrase prefix for one developer's rows (hex HMAC); the row's secret id is appended in SQL. */
  tenantKey(developerId: string): string;
}

/**
 * The ring of a store opened without the master key (`withoutKey`): its key id matches no row,
 * so reads return descriptions unauthenticated and decrypt nothing, and anything that needs a
 * tenant key (every value read, every write) is refused.
 */
export const NO_KEY: KeyRing = Object.freeze({
  keyId: '',
  withoutKey: true,
  tenantKey(): string {
    throw new SecretrefError(
      'MASTER_KEY_MISSING',
      'This store was opened without the master key (withoutKey): it reads names, descriptions, metadata, expiry and usage policy only. Open it with the master key to read values or write.',
    );
  },
});

/** Validates `key` (or `SECRETS_MASTER_KEY`) and wraps it. Surrounding whitespace is ignored. */
export function loadKeyRing(key: string | undefined, source = 'the masterKey option'): KeyRing {
  const fromEnv = key === undefined;
  const raw = (fromEnv ? process.env.SECRETS_MASTER_KEY : key)?.trim();
  const where = fromEnv ? 'SECRETS_MASTER_KEY' : source;
  if (raw === undefined || raw === '') {
    throw new SecretrefError(
      'MASTER_KEY_MISSING',
      `No master key: ${where} is ${raw === undefined ? 'not set' : 'empty'}. Generate one with \`secretref keygen\` and set SECRETS_MASTER_KEY (keep it apart from the database).`,
    );
  }
  const weakness = masterKeyWeakness(raw);
  if (weakness !== undefined) {
    throw new SecretrefError(
      'MASTER_KEY_WEAK',
      `The master key from ${where} is too weak: ${weakness}. Generate a 256-bit key with \`secretref keygen\`.`,
    );
  }
  const keyId = keyFingerprint(raw);
  const cache = new Map<string, string>();
  const ring: KeyRing = {
    keyId,
    tenantKey(developerId: string): string {
      let k = cache.get(developerId);
      if (k === undefined) {
        k = createHmac('sha256', raw).update(`secretref:tenant:v1:${developerId}`).digest('hex');
        if (cache.size > 10_000) cache.clear();
        cache.set(developerId, k);
      }
      return k;
    },
  };
  Object.defineProperty(ring, inspect.custom, { value: () => `KeyRing { keyId: '${keyId}' }` });
  Object.defineProperty(ring, 'toJSON', { value: () => ({ keyId }) });
  return ring;
}

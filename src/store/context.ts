/** What the operations of one open store share. */
import { SecretrefError } from '../errors.js';
import type { KeyRing } from './crypto-key.js';
import type { Driver } from './driver.js';
import type { ChangeHub } from './notify.js';

export interface StoreContext {
  readonly driver: Driver;
  /** Quoted schema of the store's objects. */
  readonly s: string;
  /** Quoted schema of pgcrypto's functions. */
  readonly x: string;
  readonly hub: ChangeHub;
  /** The current master key (replaced when a rekey completes). */
  ring: KeyRing;
  closed: boolean;
}

export function assertOpen(ctx: StoreContext): void {
  if (ctx.closed) throw new SecretrefError('STORE_UNAVAILABLE', 'The store is closed; open it again with openStore().');
}

/** ENCRYPTION_ERROR for rows encrypted under another key: names fingerprints, never keys. */
export function wrongKey(names: string[], rowKeyIds: string[], current: string): SecretrefError {
  const ids = [...new Set(rowKeyIds)].join(', ');
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');
  return new SecretrefError(
    'ENCRYPTION_ERROR',
    `Cannot decrypt ${shown}: encrypted with master key ${ids}, but the configured master key is ${current}. ` +
      'Set SECRETS_MASTER_KEY to the key with that fingerprint, or finish the interrupted `secretref rekey`.',
    ...(names.length === 1 && names[0] !== undefined ? [{ name: names[0] }] : []),
  );
}

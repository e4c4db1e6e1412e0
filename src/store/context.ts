/** The state the operations of one open store share. */
import { SecretrefError } from '../errors.js';
import type { KeyRing } from './crypto-key.js';
import type { Driver } from './driver.js';
import type { ChangeHub } from './notify.js';
import type { ReplicaReads } from './replica.js';
import type { SqlNames } from './statements.js';

/** An open store's state; its quoted `schema` and `crypto` are what the statements need. */
export interface StoreContext extends SqlNames {
  readonly driver: Driver;
  /**
   * Where maintenance (migrations, rekey) runs: a connection as the tables' owner
   * (`maintenanceUrl`), or `driver` itself when the application role is the owner.
   */
  readonly maintenance: Driver;
  /** Quoted schema of the store's objects. */
  readonly schema: string;
  /** Quoted schema of pgcrypto's functions. */
  readonly crypto: string;
  readonly hub: ChangeHub;
  /** With `readUrl`: the standby's pool and how reads are routed to it (replica.ts). */
  readonly reads?: ReplicaReads;
  /** The current master key (replaced when a rekey completes). */
  ring: KeyRing;
  closed: boolean;
}

export function assertOpen(ctx: StoreContext): void {
  if (ctx.closed) throw new SecretrefError('STORE_UNAVAILABLE', 'The store is closed; open it again with openStore().');
}

/**
 * Maintenance transactions (rekey, rebind): as the role that owns the store's tables, with
 * row-level security lifted for the transaction only (statements.liftRowSecurity), so one
 * transaction sees every developer's rows. Any other role is refused by the database: no setting
 * unlocks this (security review #8).
 */
import { SecretrefError } from '../errors.js';
import type { StoreContext } from './context.js';
import { errorSqlState } from './db-errors.js';
import type { Queryable, Row } from './driver.js';
import * as st from './statements.js';

/** Runs `fn` in one maintenance transaction; a role that does not own the tables gets STORE_UNAVAILABLE saying so. */
export async function maintained<T>(
  ctx: StoreContext,
  fn: (run: <R extends Row>(s: st.Statement) => Promise<R[]>, tx: Queryable) => Promise<T>,
): Promise<T> {
  try {
    return await ctx.maintenance.transaction(async (tx) => {
      const run = async <R extends Row>(s: st.Statement): Promise<R[]> => await tx.query<R>(s.text, s.params);
      await tx.exec(st.liftRowSecurity(ctx).text);
      const out = await fn(run, tx);
      await tx.exec(st.restoreRowSecurity(ctx).text);
      return out;
    });
  } catch (e) {
    if (errorSqlState(e) === '42501') throw notOwner(ctx);
    throw e;
  }
}

/** STORE_UNAVAILABLE: maintenance needs the owner of the store's tables. */
export function notOwner(ctx: StoreContext): SecretrefError {
  return new SecretrefError(
    'STORE_UNAVAILABLE',
    `Maintenance (rekey, re-binding rows) runs as the role that owns the store's tables (schema ${ctx.schema}), and this connection's role does not own them. ` +
      'Open the store with maintenanceUrl (or set SECRETREF_MAINTENANCE_DATABASE_URL) to a connection as that role.',
  );
}

/** True for the error `maintained` throws when the role does not own the tables. */
export function isNotOwner(e: unknown): boolean {
  return e instanceof SecretrefError && e.code === 'STORE_UNAVAILABLE' && e.message.startsWith('Maintenance (rekey, re-binding rows)');
}

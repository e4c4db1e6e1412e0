/**
 * The data migration of REBIND_VERSION: rows written before migration 4 are bound to developer
 * and id only (binding 1). At open, each is re-encrypted bound to its name and version and signed
 * (binding 2), in batches, one transaction each, rows picked by binding so a rerun resumes where
 * a killed one stopped. Only rows under the open store's key can be re-bound: a store with rows
 * under several keys is finished by an open with each key (or a rekey). Once no unbound row is
 * left, `migrations` records it, and from then on an unbound row is refused (statements.intact):
 * a row made to look old (binding 1, no HMAC) no longer passes.
 */
import { SecretrefError } from '../errors.js';
import type { StoreContext } from './context.js';
import { isNotOwner, maintained } from './maintenance.js';
import { MIGRATIONS } from './migrations.js';
import * as st from './statements.js';

const BATCH = 200;

/** What `rebind` did: rows re-bound, and whether every row of the store is bound now. */
export interface RebindResult {
  rebound: number;
  complete: boolean;
}

/**
 * Re-binds the rows under the store's key. Without the rights to (the application role of a
 * store whose tables another role owns), does nothing and says so through `warn`: the rows keep
 * decrypting, and the owner's next open finishes the job.
 */
export async function rebind(ctx: StoreContext, warn: (message: string, code: string) => void): Promise<RebindResult> {
  const ring = ctx.ring;
  let rebound = 0;
  try {
    const batchOf = (size: number, only?: string) =>
      maintained(ctx, async (run) => {
        const picked = await run<{ secret_id: string; developer_id: string }>(st.pickUnbound(ctx, ring.keyId, size));
        const batch = only === undefined ? picked : picked.filter((r) => r.secret_id === only);
        if (batch.length === 0) return 0;
        const ids = batch.map((r) => r.secret_id);
        return (await run(st.rebindBatch(ctx, { ids, tenantKeys: batch.map((r) => ring.tenantKey(r.developer_id)), keyId: ring.keyId }))).length;
      });
    for (;;) {
      let n: number;
      try {
        n = await batchOf(BATCH);
      } catch (e) {
        if (!(e instanceof SecretrefError && e.code === 'ENCRYPTION_ERROR')) throw e;
        // A row in the batch does not decrypt under its own key (corrupt, or copied from another
        // row): it is of no use to anyone. Mark it so it no longer holds up the others.
        n = await oneByOne(ctx, await maintained(ctx, async (run) => (await run<{ secret_id: string }>(st.pickUnbound(ctx, ring.keyId, BATCH))).map((r) => r.secret_id)), batchOf);
      }
      if (n === 0) break;
      rebound += n;
    }
    const name = MIGRATIONS.find((m) => m.version === st.REBIND_VERSION)?.name ?? 'every row bound';
    const done = await maintained(ctx, async (run) => (await run<{ done: boolean }>(st.finishRebind(ctx, name)))[0]?.done === true);
    return { rebound, complete: done };
  } catch (e) {
    if (!isNotOwner(e)) throw e;
    warn(
      'Some secrets were written before secretref bound each ciphertext to its name and version; they still decrypt, but only the role that owns the store\'s tables can re-bind them. ' +
        'Open the store once with maintenanceUrl (SECRETREF_MAINTENANCE_DATABASE_URL).',
      'SECRETREF_REBIND_PENDING',
    );
    return { rebound, complete: false };
  }
}

/** Re-binds `ids` one transaction each; a row that does not decrypt is marked unusable (binding 0). */
async function oneByOne(ctx: StoreContext, ids: string[], batchOf: (size: number, only?: string) => Promise<number>): Promise<number> {
  let done = 0;
  for (const id of ids) {
    try {
      done += await batchOf(ids.length, id);
    } catch (e) {
      if (!(e instanceof SecretrefError && e.code === 'ENCRYPTION_ERROR')) throw e;
      await maintained(ctx, async (run) => run(st.quarantineUnbound(ctx, { id, keyId: ctx.ring.keyId })));
      done++;
    }
  }
  return done;
}

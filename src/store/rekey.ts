/**
 * Re-encrypts every row under a new master key: batches of rows, one transaction per batch, rows
 * picked by key id so a rerun resumes where a killed run stopped. Every row is at all times
 * encrypted under exactly the key its key_id names (old or new), so a SIGKILL at any moment
 * leaves every secret readable with one of the two keys. Runs as the tables' owner with row-level
 * security lifted per transaction (see `maintained`); each row is re-encrypted with its own
 * developer's derived keys.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { INTERNAL_LIMITS } from '../limits.js';
import { SecretrefError } from '../errors.js';
import { assertOpen, type StoreContext } from './context.js';
import { loadKeyRing } from './crypto-key.js';
import { errorSqlState } from './db-errors.js';
import type { Queryable, Row } from './driver.js';
import * as st from './statements.js';
import type { RekeyOptions, RekeyResult } from './types.js';


/**
 * One maintenance transaction: as the tables' owner, with row-level security lifted for this
 * transaction only (see st.liftRowSecurity); any other role is refused by the database.
 */
async function maintained<T>(ctx: StoreContext, fn: (run: <R extends Row>(s: st.Statement) => Promise<R[]>, tx: Queryable) => Promise<T>): Promise<T> {
  try {
    return await ctx.maintenance.transaction(async (tx) => {
      const run = async <R extends Row>(s: st.Statement): Promise<R[]> => await tx.query<R>(s.text, s.params);
      await tx.exec(st.liftRowSecurity(ctx).text);
      const out = await fn(run, tx);
      await tx.exec(st.restoreRowSecurity(ctx).text);
      return out;
    });
  } catch (e) {
    if (errorSqlState(e) === '42501') {
      throw new SecretrefError(
        'STORE_UNAVAILABLE',
        `rekey runs as the role that owns the store's tables (schema ${ctx.schema}), and this connection's role does not own them. ` +
          'Open the store with maintenanceUrl (or set SECRETREF_MAINTENANCE_DATABASE_URL) to a connection as that role.',
      );
    }
    throw e;
  }
}

export async function rekey(ctx: StoreContext, newMasterKey: string, opts: RekeyOptions = {}): Promise<RekeyResult> {
  assertOpen(ctx);
  if (typeof newMasterKey !== 'string') {
    throw new SecretrefError('MASTER_KEY_MISSING', 'rekey needs the new master key (generate one with `secretref keygen`).');
  }
  const next = loadKeyRing(newMasterKey, 'the new master key');
  const old = ctx.ring;
  const batchSize = opts.batchSize ?? INTERNAL_LIMITS.rekeyBatch;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > INTERNAL_LIMITS.rekeyMaxBatch) {
    throw new SecretrefError('INVALID_INPUT', `batchSize must be an integer between 1 and ${INTERNAL_LIMITS.rekeyMaxBatch}.`, { path: '/batchSize' });
  }
  const { hub } = ctx;
  let rekeyed = 0;
  if (next.keyId !== old.keyId) {
    const keys = { from: old.keyId, to: next.keyId };
    // From here until it ends, writes under either key are allowed (begin_write).
    const total = await maintained(ctx, async (run) => {
      await run(st.startRekey(ctx, keys));
      return Number((await run<{ n: string | number }>(st.countUnderKey(ctx, old.keyId)))[0]?.n ?? 0);
    });
    for (;;) {
      const changed = await maintained(ctx, async (run, tx) => {
        const batch = await run<{ secret_id: string; developer_id: string }>(st.pickUnderKey(ctx, old.keyId, batchSize));
        if (batch.length === 0) return [];
        const rows = await run<{ developer_id: string; name: string }>(
          st.rekeyBatch(ctx, {
            ids: batch.map((r) => r.secret_id),
            oldTenantKeys: batch.map((r) => old.tenantKey(r.developer_id)),
            newTenantKeys: batch.map((r) => next.tenantKey(r.developer_id)),
            from: old.keyId,
            to: next.keyId,
          }),
        );
        const byDeveloper = new Map<string, string[]>();
        for (const r of rows) byDeveloper.set(r.developer_id, [...(byDeveloper.get(r.developer_id) ?? []), r.name]);
        for (const [dev, names] of byDeveloper) await hub.notify(tx, dev, names);
        return [...byDeveloper];
      });
      if (changed.length === 0) {
        // Ends only when, with no write in flight, no row is left under the old key: a write
        // under the old key that committed after the last batch is picked up by another pass.
        const left = await maintained(ctx, async (run) => {
          await run(st.rekeyBarrier(ctx));
          return Number((await run<{ n: string | number }>(st.finishRekey(ctx, keys)))[0]?.n ?? 0);
        });
        if (left === 0) break;
        await sleep(20); // rows another rekey holds (skip locked): it commits them shortly
        continue;
      }
      for (const [dev, names] of changed) {
        rekeyed += names.length;
        hub.changed(dev, names);
      }
      opts.onProgress?.({ done: rekeyed, total: Math.max(total, rekeyed) });
    }
  }
  ctx.ring = next;
  const others = await maintained(ctx, async (run) => await run<{ key_id: string; n: string | number }>(st.otherKeys(ctx, next.keyId)));
  return { rekeyed, keyId: next.keyId, otherKeys: Object.fromEntries(others.map((r) => [r.key_id, Number(r.n)])) };
}

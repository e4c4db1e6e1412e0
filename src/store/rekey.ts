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
import { tampered } from './db-errors.js';
import { maintained } from './maintenance.js';
import * as st from './statements.js';
import type { RekeyOptions, RekeyResult } from './types.js';

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
        const result = await run<{ secret_id: string; intact: boolean | null; developer_id: string | null; name: string | null }>(
          st.rekeyBatch(ctx, {
            ids: batch.map((r) => r.secret_id),
            oldTenantKeys: batch.map((r) => old.tenantKey(r.developer_id)),
            newTenantKeys: batch.map((r) => next.tenantKey(r.developer_id)),
            from: old.keyId,
            to: next.keyId,
          }),
        );
        // A row that fails its HMAC is not carried over (that would sign it under the new key);
        // the rekey stops there, naming it by id (names are the developers' own).
        const refused = result.filter((r) => r.intact !== true).map((r) => r.secret_id);
        if (refused.length) throw tampered(refused.map((id) => `the secret with id ${id}`));
        const rows = result.filter((r): r is typeof r & { developer_id: string; name: string } => r.developer_id !== null && r.name !== null);
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

/**
 * Re-encrypts every row under a new master key: batches of rows, one transaction per batch, rows
 * picked by key id so a rerun resumes where a killed run stopped. Every row is at all times
 * encrypted under exactly the key its key_id names (old or new), so a SIGKILL at any moment
 * leaves every secret readable with one of the two keys. Runs in maintenance mode (the RLS policy
 * that spans developers); each row is re-encrypted with its own developer's derived keys.
 */
import { SecretrefError } from '../errors.js';
import { assertOpen, type StoreContext } from './context.js';
import { loadKeyRing } from './crypto-key.js';
import type { Queryable } from './driver.js';
import { MAINTENANCE_SETTING, PGP_OPTIONS } from './sql.js';
import type { RekeyOptions, RekeyResult } from './types.js';

const DEFAULT_BATCH = 100;
const MAX_BATCH = 10_000;

async function maintenance(tx: Queryable): Promise<void> {
  await tx.query(`select set_config('${MAINTENANCE_SETTING}', 'on', true)`);
}

export async function rekey(ctx: StoreContext, newMasterKey: string, opts: RekeyOptions = {}): Promise<RekeyResult> {
  assertOpen(ctx);
  if (typeof newMasterKey !== 'string') {
    throw new SecretrefError('MASTER_KEY_MISSING', 'rekey needs the new master key (generate one with `secretref keygen`).');
  }
  const next = loadKeyRing(newMasterKey, 'the new master key');
  const old = ctx.ring;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
    throw new SecretrefError('INVALID_INPUT', `batchSize must be an integer between 1 and ${MAX_BATCH}.`, { path: '/batchSize' });
  }
  const { driver, s, x, hub } = ctx;
  let rekeyed = 0;
  if (next.keyId !== old.keyId) {
    const total = await driver.transaction(async (tx) => {
      await maintenance(tx);
      const r = await tx.query<{ n: string | number }>(
        `select count(*) as n from ${s}.secrets where key_id = $1 or previous_key_id = $1`,
        [old.keyId],
      );
      return Number(r[0]?.n ?? 0);
    });
    for (;;) {
      const changed = await driver.transaction(async (tx) => {
        await maintenance(tx);
        const batch = await tx.query<{ secret_id: string; developer_id: string }>(
          `select secret_id, developer_id from ${s}.secrets where key_id = $1 or previous_key_id = $1
            order by secret_id limit $2 for update skip locked`,
          [old.keyId, batchSize],
        );
        if (batch.length === 0) return [];
        const rows = await tx.query<{ developer_id: string; name: string }>(
          `with b as (
             select * from unnest($1::uuid[], $2::text[], $3::text[]) as b(id, old_key, new_key)
           ), upd as (
             update ${s}.secrets t set
               value_encrypted = case when t.key_id = $4::text then ${x}.pgp_sym_encrypt(
                   ${x}.pgp_sym_decrypt(t.value_encrypted, b.old_key || ':' || t.secret_id::text),
                   b.new_key || ':' || t.secret_id::text, '${PGP_OPTIONS}')
                 else t.value_encrypted end,
               key_id = case when t.key_id = $4::text then $5::text else t.key_id end,
               previous_value_encrypted = case when t.previous_key_id = $4::text then ${x}.pgp_sym_encrypt(
                   ${x}.pgp_sym_decrypt(t.previous_value_encrypted, b.old_key || ':' || t.secret_id::text),
                   b.new_key || ':' || t.secret_id::text, '${PGP_OPTIONS}')
                 else t.previous_value_encrypted end,
               previous_key_id = case when t.previous_key_id = $4::text then $5::text else t.previous_key_id end
             from b where t.secret_id = b.id
             returning t.developer_id, t.secret_id, t.name
           ), logged as (
             insert into ${s}.audit (developer_id, secret_id, name, action, detail)
             select u.developer_id, u.secret_id, u.name, 'rekey', jsonb_build_object('from', $4::text, 'to', $5::text) from upd u
           )
           select developer_id, name::text as name from upd`,
          [
            batch.map((r) => r.secret_id),
            batch.map((r) => old.tenantKey(r.developer_id)),
            batch.map((r) => next.tenantKey(r.developer_id)),
            old.keyId,
            next.keyId,
          ],
        );
        const byDeveloper = new Map<string, string[]>();
        for (const r of rows) byDeveloper.set(r.developer_id, [...(byDeveloper.get(r.developer_id) ?? []), r.name]);
        for (const [dev, names] of byDeveloper) await hub.notify(tx, dev, names);
        return [...byDeveloper];
      });
      if (changed.length === 0) break;
      for (const [dev, names] of changed) {
        rekeyed += names.length;
        hub.changed(dev, names);
      }
      opts.onProgress?.({ done: rekeyed, total: Math.max(total, rekeyed) });
    }
  }
  ctx.ring = next;
  const others = await driver.transaction(async (tx) => {
    await maintenance(tx);
    return await tx.query<{ key_id: string; n: string | number }>(
      `select key_id, count(*) as n from (
         select key_id from ${s}.secrets union all
         select previous_key_id from ${s}.secrets where previous_key_id is not null) k
        where key_id <> $1 group by key_id`,
      [next.keyId],
    );
  });
  return { rekeyed, keyId: next.keyId, otherKeys: Object.fromEntries(others.map((r) => [r.key_id, Number(r.n)])) };
}

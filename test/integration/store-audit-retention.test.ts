/**
 * The bounded audit (migration 7): one record per read batch, names as an array; `pruneAudit`
 * deletes records older than the retention in index-driven batches, as the owner, and is the only
 * way past the append-only audit — never for a record younger than a day, never for the
 * application role, and the DELETE privilege is gone again afterwards.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { ALL_KINDS, describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

const DAY = 86_400_000;

describeBackends('bounded audit', (backend) => {
  it('a resolution of ten names writes one record that names them all', async () => {
    const store = await backend.open();
    const dev = store.scope(randomUUID());
    const names = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const n of names) await dev.create({ name: n, value: `v-${n}` });
    await dev.rotate('k3', 'v-k3-2');
    const before = (await dev.audit({ limit: 1000 })).length;
    expect((await dev.resolveMany([...names].reverse().concat('absent'))).size).toBe(10);
    const log = await dev.audit({ limit: 1000 });
    expect(log.length - before).toBe(1);
    const read = log[0];
    expect(read).toMatchObject({ action: 'resolve', name: 'k0', names, secretId: null });
    expect(read?.detail).toEqual({ versions: Object.fromEntries(names.map((n) => [n, n === 'k3' ? 2 : 1])) });
    // Found by any of its names; a write still names its one secret.
    expect((await dev.audit({ name: 'k7' })).map((e) => e.action)).toEqual(['resolve', 'create']);
    expect((await dev.audit({ name: 'k3' }))[1]).toMatchObject({ action: 'rotate', names: ['k3'] });
    // A read of nothing that exists writes nothing.
    await dev.resolveMany(['absent']);
    expect((await dev.audit({ limit: 1000 })).length).toBe(log.length);
  });

  it('pruneAudit deletes what is older than the retention, every developer\'s, in batches; nothing younger', async () => {
    const store = await backend.open({ auditRetention: 30 });
    const a = randomUUID();
    const b = randomUUID();
    await store.scope(a).create({ name: 'fresh', value: 'v' });
    const old = async (dev: string, days: number, count: number): Promise<void> => {
      await backend.sql(
        `insert into ${store.schema}.audit (developer_id, name, action, at)
         select $1::uuid, 'old_' || g, 'resolve', now() - make_interval(days => $2::integer) from generate_series(1, $3::integer) g`,
        [dev, days, count],
        { maintenance: true },
      );
    };
    await old(a, 200, 25);
    await old(b, 40, 12);
    await old(b, 10, 3);
    const count = async (dev: string): Promise<number> => (await store.scope(dev).audit({ limit: 10_000 })).length;
    expect([await count(a), await count(b)]).toEqual([26, 15]);

    const r = await store.pruneAudit?.({ batchSize: 7 });
    expect(r?.deleted).toBe(37);
    expect(Math.abs((r?.before.getTime() ?? 0) - (Date.now() - 30 * DAY))).toBeLessThan(60_000);
    expect([await count(a), await count(b)]).toEqual([1, 3]);
    expect((await store.pruneAudit?.())?.deleted).toBe(0);
    // Retention 1 day: the 10-day-old records go; today's create stays.
    expect((await store.pruneAudit?.({ retentionDays: 1 }))?.deleted).toBe(3);
    expect([await count(a), await count(b)]).toEqual([1, 0]);
  });

  it('stays append-only outside pruning: DELETE refused even for an old record, and no DELETE privilege is left behind', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await store.scope(dev).create({ name: 'k', value: 'v' });
    await backend.sql(
      `insert into ${store.schema}.audit (developer_id, name, action, at) values ($1::uuid, 'ancient', 'resolve', now() - interval '400 days')`,
      [dev],
      { maintenance: true },
    );
    expect((await store.pruneAudit?.({ retentionDays: 1000 }))?.deleted).toBe(0);
    // As the superuser (server) or PGlite's only role, the trigger refuses: a young record even
    // with the pruning setting on, an old one without it.
    const refused = (sql: string) => expect(backend.sql(sql, [], { maintenance: true })).rejects.toThrow(/append-only/);
    await refused(`delete from ${store.schema}.audit where name = 'k'`);
    await refused(`do $$ begin perform set_config('secretref.audit_prune', 'on', true); delete from ${store.schema}.audit where name = 'k'; end $$`);
    await refused(`delete from ${store.schema}.audit where name = 'ancient'`);
    await refused(`update ${store.schema}.audit set name = 'x' where name = 'ancient'`);
    if (backend.kind !== 'embedded') {
      const [p] = await backend.sql<{ d: boolean }>(`select has_table_privilege(current_user, '${store.schema}.audit', 'DELETE') as d`);
      expect(p?.d).toBe(false);
      // The application role (here the owner too) cannot delete by itself: the privilege is revoked.
      await expect(backend.sql(`delete from ${store.schema}.audit where developer_id = $1::uuid`, [dev], { developerId: dev })).rejects.toThrow(/permission denied/);
    }
    expect((await store.scope(dev).audit({ limit: 10 })).map((e) => e.name)).toEqual(['k', 'ancient']);
  });

  it('refuses a retention outside 1..36500 days', async () => {
    const e = await rejected(backend.open({ auditRetention: 0 }));
    expect([e.code, e.path]).toEqual(['INVALID_INPUT', '/auditRetention']);
    const store = await backend.open();
    const p = await rejected(store.pruneAudit?.({ retentionDays: 0.5 }) ?? Promise.resolve());
    expect([p.code, p.path]).toEqual(['INVALID_INPUT', '/retentionDays']);
  });
}, ALL_KINDS);

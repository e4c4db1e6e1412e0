/**
 * Regression: a server connection lost while a write transaction held it (pg_terminate_backend,
 * a restart, a dropped network) raised an 'error' event on the checked-out pg client with no
 * listener — an uncaught exception that crashed the host process. The write must instead reject
 * with STORE_UNAVAILABLE, and the store must keep working.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { sleep } from '../helpers/wait.js';

const { appUrl, adminUrl } = inject('pg');
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers) await c().catch(() => undefined);
});

it('a connection killed inside a write transaction rejects the write with STORE_UNAVAILABLE, never an uncaught exception', async () => {
  const uncaught: unknown[] = [];
  const record = (e: unknown): void => void uncaught.push(e);
  process.on('uncaughtException', record);
  try {
    const app = `txlost_${randomUUID().slice(0, 8)}`;
    const u = new URL(appUrl);
    u.searchParams.set('application_name', app);
    const schema = `txl_${Math.random().toString(36).slice(2, 10)}`;
    const store: Store = await openStore({ url: u.toString(), schema, masterKey: keygen(), poolSize: 2 });
    closers.push(() => store.close());
    const dev = randomUUID();
    const s = store.scope(dev);
    await s.create({ name: 'k', value: 'v1' });

    const admin = new pg.Client({ connectionString: adminUrl ?? appUrl });
    await admin.connect();
    closers.push(() => admin.end());
    const holder = new pg.Client({ connectionString: appUrl });
    await holder.connect();
    closers.push(() => holder.end());
    await holder.query('begin');
    await holder.query(`select set_config('secretref.developer_id', $1, true)`, [dev]);
    await holder.query(`select 1 from "${schema}".secrets where name = 'k' for update`);

    // The rotation's transaction waits on the row lock, holding its pooled connection.
    const write = s.rotate('k', 'v2').then(
      () => 'committed',
      (e: unknown) => (e instanceof SecretrefError ? e.code : `uncatalogued: ${String(e)}`),
    );
    let waiting = 0;
    for (let i = 0; i < 200 && waiting === 0; i++) {
      await sleep(20);
      waiting = (await admin.query(`select 1 from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`, [app])).rowCount ?? 0;
    }
    expect(waiting).toBe(1);
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`, [app]);
    expect(await write).toBe('STORE_UNAVAILABLE');
    await sleep(100); // an 'error' event would surface by now
    expect(uncaught).toEqual([]);

    await holder.query('rollback');
    await s.rotate('k', 'v3');
    expect((await s.get('k', { reveal: true })).value).toBe('v3');
  } finally {
    process.removeListener('uncaughtException', record);
  }
});

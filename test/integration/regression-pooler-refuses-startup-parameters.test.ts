/**
 * A stock PgBouncer refused every connection of a store (`08P01 unsupported startup parameter:
 * statement_timeout`): the pool sent its timeouts as startup parameters, and the error did not
 * say what to do. Now the timeouts are set with SET LOCAL inside every transaction the store
 * opens, so they hold through a transaction pooler, and a refusal by a pooler names the cause and
 * the fix. Against the real PgBouncer of the global setup (transaction mode, stock settings).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { OpenStoreOptions, Store } from '../../src/store/types.js';
import { pooledUrl } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

const { adminUrl, appUrl } = inject('pg');
const stores: Store[] = [];
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
});

async function open(opts: OpenStoreOptions = {}): Promise<Store> {
  const s = await openStore({ url: pooledUrl(), masterKey: keygen(), schema: `b_${Math.random().toString(36).slice(2, 10)}`, ...opts });
  stores.push(s);
  return s;
}

async function admin(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: adminUrl ?? appUrl });
  await c.connect();
  clients.push(c);
  return c;
}

describe('a store behind a stock PgBouncer in transaction mode', () => {
  it('opens, migrates, writes, resolves, lists and audits through the pooler', async () => {
    const store = await open();
    const dev = store.scope(randomUUID());
    await dev.create({ name: 'api_key', value: 'v1' });
    await dev.rotate('api_key', 'v2');
    expect(await dev.resolveMany(['api_key', 'absent'])).toEqual(new Map([['api_key', 'v2']]));
    expect((await dev.list()).items.map((i) => i.name)).toEqual(['api_key']);
    expect((await dev.audit()).map((a) => a.action)).toContain('rotate');
  });

  it('keeps the statement timeout through the pooler: a read and a write blocked by a lock fail in bounded time', async () => {
    const schema = `b_${Math.random().toString(36).slice(2, 10)}`;
    const masterKey = keygen();
    const store = await open({ schema, masterKey, statementTimeoutMs: 300 });
    const developerId = randomUUID();
    await store.scope(developerId).create({ name: 'k', value: 'v' });
    const holder = await admin();
    await holder.query('begin');
    await holder.query(`lock table "${schema}".audit in access exclusive mode`); // every resolution is audited
    let started = performance.now();
    const read = await rejected(store.scope(developerId).resolveMany(['k']));
    expect(read.code).toBe('STORE_UNAVAILABLE');
    expect(read.message).toContain('57014');
    expect(performance.now() - started).toBeLessThan(3_000);
    await holder.query('rollback');

    await holder.query('begin');
    await holder.query(`select set_config('secretref.developer_id', $1, true)`, [developerId]);
    await holder.query(`select 1 from "${schema}".secrets where name = 'k' for update`);
    started = performance.now();
    const write = await rejected(store.scope(developerId).rotate('k', 'never-written'));
    expect(write.code).toBe('STORE_UNAVAILABLE');
    expect(write.message).toContain('57014');
    expect(performance.now() - started).toBeLessThan(3_000);
    await holder.query('rollback');
    expect(await store.scope(developerId).resolveMany(['k'])).toEqual(new Map([['k', 'v']]));
  });

  it('a pooler refusing a startup parameter is named, with the fix, and the URL is not echoed', async () => {
    const url = new URL(pooledUrl());
    url.searchParams.set('options', '-c search_path=public');
    const e = await rejected(openStore({ url: url.toString(), masterKey: keygen(), schema: 'refused' }));
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.message).toContain('08P01');
    expect(e.message).toMatch(/connection pooler/i);
    expect(e.message).toMatch(/ignore_startup_parameters/);
    expect(e.message).not.toContain(decodeURIComponent(url.password));
  });
});

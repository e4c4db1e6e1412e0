/**
 * Change notifications: at once for writes through the same store object, through NOTIFY for
 * other store objects and processes, and `reset` when the notification connection drops.
 */
import { expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import type { StoreEvent } from '../../src/store/types.js';
import { ALL_KINDS, describeBackends } from '../helpers/backends.js';
import { spawnChild } from '../helpers/child.js';
import { until } from '../helpers/wait.js';

const DEV = '00000000-0000-0000-0000-0000000000e1';

describeBackends('change notifications', (backend) => {
  it('announces every write through this store object before the write resolves', async () => {
    const store = await backend.open();
    const dev = store.scope(DEV);
    const events: StoreEvent[] = [];
    const unsubscribe = store.subscribe((e) => events.push(e));
    store.subscribe(() => {
      throw new Error('a failing listener must not break writes');
    });
    const last = (): StoreEvent | undefined => events.filter((e) => e.type === 'change').at(-1);
    await dev.create({ name: 'n1', value: 'v' });
    expect(last()).toEqual({ type: 'change', developerId: DEV, names: ['n1'] });
    await dev.update('n1', { value: 'v2' });
    expect(last()).toEqual({ type: 'change', developerId: DEV, names: ['n1'] });
    await dev.update('n1', { name: 'n2' });
    expect(last()).toEqual({ type: 'change', developerId: DEV, names: ['n1', 'n2'] });
    await dev.rotate('n2', 'v3');
    await dev.rollback('n2');
    await dev.delete('n2');
    expect(events.filter((e) => e.type === 'change')).toHaveLength(6);
    await dev.resolveMany(['n2']);
    await expect(dev.create({ name: 'bad-name', value: 'v' })).rejects.toThrow();
    expect(events.filter((e) => e.type === 'change')).toHaveLength(6);
    unsubscribe();
    await dev.create({ name: 'n3', value: 'v' });
    expect(events.filter((e) => e.type === 'change')).toHaveLength(6);
  });

  it('delivers writes of another store object on the same database', async () => {
    const key = keygen();
    const schema = backend.freshSchema();
    const reader = await backend.open({ masterKey: key, schema });
    const writer = await backend.open({ masterKey: key, schema });
    const events: StoreEvent[] = [];
    reader.subscribe((e) => events.push(e));
    await reader.listening();
    await writer.scope(DEV).create({ name: 'from_writer', value: 'v' });
    await until(() => events.some((e) => e.type === 'change' && e.names.includes('from_writer')));
    expect(events.find((e) => e.type === 'change')).toEqual({ type: 'change', developerId: DEV, names: ['from_writer'] });
    // Other schemas are other stores: their writes are not ours.
    const elsewhere = await backend.open({ masterKey: key });
    await elsewhere.scope(DEV).create({ name: 'other_schema', value: 'v' });
    await writer.scope(DEV).create({ name: 'marker', value: 'v' });
    await until(() => events.some((e) => e.type === 'change' && e.names.includes('marker')));
    expect(events.some((e) => e.type === 'change' && e.names.includes('other_schema'))).toBe(false);
  });
}, ALL_KINDS);

describeBackends(
  'change notifications across processes',
  (backend) => {
    it('delivers another process\'s writes through LISTEN/NOTIFY', async () => {
      const key = keygen();
      const schema = backend.freshSchema();
      const store = await backend.open({ masterKey: key, schema });
      const events: StoreEvent[] = [];
      store.subscribe((e) => events.push(e));
      await store.listening();
      const child = spawnChild('write', { url: backend.url, schema, developerId: DEV, prefix: 'cp', count: 3 }, { SECRETS_MASTER_KEY: key });
      expect(await child.exited, child.stderr()).toBe(0);
      await until(() => events.filter((e) => e.type === 'change').length === 3);
      expect(events.flatMap((e) => (e.type === 'change' ? e.names : []))).toEqual(['cp_0', 'cp_1', 'cp_2']);
    }, 60_000);

    it('emits reset when the notification connection drops, and listens again', async () => {
      const key = keygen();
      const schema = backend.freshSchema();
      const store = await backend.open({ masterKey: key, schema });
      const writer = await backend.open({ masterKey: key, schema });
      const events: StoreEvent[] = [];
      store.subscribe((e) => events.push(e));
      await store.listening();
      const killed = await backend.sql<{ ok: boolean }>(
        `select pg_terminate_backend(pid) as ok from pg_stat_activity
          where datname = current_database() and application_name = $1 and query ilike 'listen %'`,
        [`secretref/${schema}`],
      );
      expect(killed).toEqual([{ ok: true }]);
      await until(() => events.filter((e) => e.type === 'reset').length >= 2, 10_000);
      await writer.scope(DEV).create({ name: 'after_reconnect', value: 'v' });
      await until(() => events.some((e) => e.type === 'change' && e.names.includes('after_reconnect')));
    }, 30_000);
  },
  ['server', 'pooled'],
);

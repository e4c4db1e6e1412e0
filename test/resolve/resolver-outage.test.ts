/**
 * The resolver when the store changes elsewhere or goes away: cross-process invalidation through
 * LISTEN/NOTIFY, a killed LISTEN connection, an unreachable or hung server, stale serving.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import type { SecretrefError } from '../../src/errors.js';
import { createResolver } from '../../src/resolve/resolver.js';
import type { Resolver, ResolverOptions } from '../../src/resolve/resolver-types.js';
import { keygen } from '../../src/store/crypto-key.js';
import type { OpenStoreOptions, Store, StoreEvent } from '../../src/store/types.js';
import { describeBackends, type Backend } from '../helpers/backends.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { fakeClock, rejected as rejection } from '../helpers/expect-error.js';
import { until } from '../helpers/wait.js';

function eventLog(store: Store): StoreEvent[] {
  const events: StoreEvent[] = [];
  store.subscribe((e) => events.push(e));
  return events;
}

function withAppName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

const resolvers: Resolver[] = [];
afterEach(() => {
  for (const r of resolvers.splice(0)) r.close();
});

function resolverOn(store: Store, opts: Omit<ResolverOptions, 'developerId'> & { developerId?: string } = {}): Resolver {
  const r = createResolver(store, { developerId: randomUUID(), ...opts });
  resolvers.push(r);
  return r;
}

async function valueOf(r: Resolver, name: string): Promise<string | undefined> {
  return (await r.resolve({ names: [name] })).values.get(name)?.value;
}

describeBackends('resolver with an unavailable store', (backend) => {
  it('serves entries up to maxStaleMs past their TTL, then fails with STORE_UNAVAILABLE, never partially', async () => {
    const store = await backend.open();
    const clock = fakeClock();
    const r = resolverOn(store, { ttlMs: 1_000, maxStaleMs: 5_000, perf: clock });
    const strict = resolverOn(store, { developerId: r.developerId, ttlMs: 1_000, perf: clock });
    const secrets = store.scope(r.developerId);
    await secrets.create({ name: 'cached', value: 'cached-value' });
    await secrets.create({ name: 'uncached', value: 'other-value' });
    await r.resolve({ names: ['cached', 'absent'] });
    await strict.resolve({ names: ['cached'] });
    await store.close();

    clock.advance(500); // still fresh: no store needed
    expect(await valueOf(r, 'cached')).toBe('cached-value');
    expect(r.stats().staleServed).toBe(0);

    clock.advance(1_000 + 3_000); // past TTL, within the stale budget
    const stale = await r.resolve({ names: ['cached', 'absent'] });
    expect(stale.values.get('cached')?.value).toBe('cached-value');
    expect(stale.missing).toEqual(['absent']);
    expect(r.stats().staleServed).toBeGreaterThanOrEqual(1);
    // Without a stale budget, the same moment is a failure.
    expect((await rejection(strict.resolve({ names: ['cached'] }))).code).toBe('STORE_UNAVAILABLE');
    // One name the cache cannot vouch for fails the whole resolve.
    expect((await rejection(r.resolve({ names: ['cached', 'uncached'] }))).code).toBe('STORE_UNAVAILABLE');

    clock.advance(2_000); // past TTL + maxStaleMs
    expect((await rejection(r.resolve({ names: ['cached'] }))).code).toBe('STORE_UNAVAILABLE');
  });
});

describeBackends(
  'resolver across processes',
  (backend: Backend) => {
    const admin = new pg.Client({ connectionString: inject('pg').adminUrl ?? inject('pg').appUrl });
    let adminConnected = false;
    const proxies: TcpProxy[] = [];
    afterAll(async () => {
      await Promise.all(proxies.map((p) => p.close()));
      if (adminConnected) await admin.end();
    });

    /** Two store objects (two pools) on one schema and key: "two processes". */
    async function pair(bOpts: OpenStoreOptions = {}): Promise<{ a: Store; b: Store }> {
      const schema = backend.freshSchema();
      const masterKey = keygen();
      const a = await backend.open({ schema, masterKey });
      const b = await backend.open({ schema, masterKey, ...bOpts });
      return { a, b };
    }

    it('a write through another store is seen in well under a second despite a long TTL', async () => {
      const { a, b } = await pair();
      const r = resolverOn(b, { ttlMs: 3_600_000 });
      await b.listening();
      const writer = a.scope(r.developerId);
      await writer.create({ name: 'shared', value: 'v1' });
      expect(await valueOf(r, 'shared')).toBe('v1');
      expect((await r.resolve({ names: ['later'] })).missing).toEqual(['later']); // cached absent

      await writer.update('shared', { value: 'v2' });
      await until(async () => (await valueOf(r, 'shared')) === 'v2', 1_000);
      await writer.create({ name: 'later', value: 'here' });
      await until(async () => (await valueOf(r, 'later')) === 'here', 1_000);
      await writer.delete('shared');
      await until(async () => (await valueOf(r, 'shared')) === undefined, 1_000);
      await a.rekey(keygen());
      // b still holds the old key: its next load is an ENCRYPTION_ERROR, not a stale value.
      await until(async () => {
        try {
          await r.resolve({ names: ['later'] });
          return false;
        } catch (e) {
          return (e as SecretrefError).code === 'ENCRYPTION_ERROR';
        }
      }, 1_000);
    });

    it('a killed LISTEN connection clears the cache, and changes are seen again after it reconnects', async () => {
      if (!adminConnected) {
        await admin.connect();
        adminConnected = true;
      }
      const appName = `rt_${randomUUID().slice(0, 8)}`;
      const { a, b } = await pair({ url: withAppName(backend.url, appName) });
      const events = eventLog(b);
      const r = resolverOn(b, { ttlMs: 3_600_000 });
      await b.listening();
      const writer = a.scope(r.developerId);
      await writer.create({ name: 'k', value: 'v1' });
      // The create's own notification arrives asynchronously; let it pass before caching.
      await until(() => events.some((e) => e.type === 'change' && e.names.includes('k')));
      expect(await valueOf(r, 'k')).toBe('v1');
      expect(r.stats().entries).toBe(1);

      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and query ilike 'listen%'`,
        [appName],
      );
      expect(killed.rowCount).toBe(1);
      await until(() => events.some((e) => e.type === 'reset'));
      expect(r.stats().entries).toBe(0); // notifications may have been missed: nothing is trusted

      // Reconnected (a second reset announces it), then changes flow again.
      await until(() => events.filter((e) => e.type === 'reset').length >= 2);
      expect(await valueOf(r, 'k')).toBe('v1');
      await writer.update('k', { value: 'v2' });
      await until(async () => (await valueOf(r, 'k')) === 'v2', 1_000);
    });

    it('a refused server fails fast with STORE_UNAVAILABLE; stale entries within maxStaleMs are served; it recovers', async () => {
      const proxy = await startTcpProxy(backend.url);
      proxies.push(proxy);
      const schema = backend.freshSchema();
      const store = await backend.open({ url: proxy.url, schema, connectTimeoutMs: 1_000 });
      const events = eventLog(store);
      const clock = fakeClock();
      const r = resolverOn(store, { ttlMs: 1_000, maxStaleMs: 5_000, perf: clock });
      const strict = resolverOn(store, { developerId: r.developerId, ttlMs: 1_000, perf: clock });
      await store.listening();
      const secrets = store.scope(r.developerId);
      await secrets.create({ name: 'k', value: 'v1' });
      await secrets.create({ name: 'never_cached', value: 'v' });
      expect(await valueOf(r, 'k')).toBe('v1');
      expect(await valueOf(strict, 'k')).toBe('v1');

      await proxy.refuse();
      await until(() => events.some((e) => e.type === 'reset'));
      const started = performance.now();
      expect(await valueOf(r, 'k')).toBe('v1'); // distrusted by the reset, served stale
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(r.stats().staleServed).toBe(1);
      expect((await rejection(strict.resolve({ names: ['k'] }))).code).toBe('STORE_UNAVAILABLE');
      expect((await rejection(r.resolve({ names: ['k', 'never_cached'] }))).code).toBe('STORE_UNAVAILABLE');
      clock.advance(5_001); // the stale budget counts from the reset
      expect((await rejection(r.resolve({ names: ['k'] }))).code).toBe('STORE_UNAVAILABLE');

      await proxy.restore();
      await until(async () => {
        try {
          return (await valueOf(r, 'k')) === 'v1';
        } catch {
          return false;
        }
      }, 5_000);
    });

    it('a server that accepts but never answers fails within the resolver timeout', async () => {
      const proxy = await startTcpProxy(backend.url);
      proxies.push(proxy);
      const store = await backend.open({ url: proxy.url, connectTimeoutMs: 10_000, statementTimeoutMs: 10_000 });
      const r = resolverOn(store, { timeoutMs: 300 });
      await store.scope(r.developerId).create({ name: 'k', value: 'v' });
      proxy.blackhole();
      const started = performance.now();
      expect((await rejection(r.resolve({ names: ['k'] }))).code).toBe('STORE_UNAVAILABLE');
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2_000);
      await proxy.restore();
    });
  },
  ['server'],
);

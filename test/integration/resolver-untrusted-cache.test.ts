/**
 * A resolver whose store cannot verify its notification path (here: LISTEN through a transaction
 * pooler, which drops notifications) trusts its cache for INTERNAL_LIMITS.untrustedCacheMs only,
 * whatever its TTL, and says so in stats(); with the path verified (notifyUrl at the server), the
 * TTL holds. Driven by an injected clock.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { INTERNAL_LIMITS } from '../../src/limits.js';
import { createResolver } from '../../src/resolve/resolver.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { OpenStoreOptions, Store } from '../../src/store/types.js';
import { pooledUrl } from '../helpers/backends.js';
import { fakeClock } from '../helpers/expect-error.js';

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

async function setup(opts: OpenStoreOptions) {
  const store = await openStore({ masterKey: keygen(), schema: `u_${Math.random().toString(36).slice(2, 10)}`, ...opts });
  stores.push(store);
  const developerId = randomUUID();
  await store.scope(developerId).create({ name: 'k', value: 'v' });
  const clock = fakeClock();
  const r = createResolver(store, { developerId, ttlMs: 60_000, now: clock.now });
  await store.listening();
  const queries = async (): Promise<number> => {
    const before = r.stats().storeQueries;
    await r.resolve({ names: ['k'] });
    return r.stats().storeQueries - before;
  };
  return { store, r, clock, queries };
}

describe('the cache bound follows the notification state', () => {
  it('notify path through the transaction pooler: unverified, cache trusted for the short bound only', async () => {
    const { store, r, clock, queries } = await setup({ url: pooledUrl() });
    expect(store.notifications?.()).toMatchObject({ state: 'unverified' });
    expect(r.stats()).toMatchObject({ notifications: 'unverified', cacheBoundMs: INTERNAL_LIMITS.untrustedCacheMs });
    expect(await queries()).toBe(1);
    clock.advance(INTERNAL_LIMITS.untrustedCacheMs - 1);
    expect(await queries()).toBe(0);
    clock.advance(2);
    expect(await queries()).toBe(1);
    r.close();
  });

  it('notifyUrl at the server: verified, the TTL holds', async () => {
    const { store, r, clock, queries } = await setup({ url: pooledUrl(), notifyUrl: inject('pg').appUrl });
    expect(store.notifications?.()).toMatchObject({ state: 'verified' });
    expect(store.notifications?.().probeMs).toBeGreaterThanOrEqual(0);
    expect(r.stats()).toMatchObject({ notifications: 'verified', cacheBoundMs: 60_000 });
    expect(await queries()).toBe(1);
    clock.advance(59_000);
    expect(await queries()).toBe(0);
    clock.advance(1_001);
    expect(await queries()).toBe(1);
    r.close();
  });

  it('closing does not wait for a probe that will not arrive', async () => {
    const store = await openStore({ url: pooledUrl(), masterKey: keygen(), schema: `u_${Math.random().toString(36).slice(2, 10)}` });
    store.subscribe(() => undefined);
    await new Promise((r) => setTimeout(r, 200)); // LISTEN done, the probe on its way
    const started = performance.now();
    await store.close();
    // Well below the probe's 2 s timeout.
    expect(performance.now() - started).toBeLessThan(INTERNAL_LIMITS.notifyProbeTimeoutMs - 500);
  });

  it('the state is in store.stats() too, and a notify URL that is not postgres:// is refused', async () => {
    const { store } = await setup({ url: inject('pg').appUrl });
    expect(store.stats().notifications).toBe('verified');
    await expect(openStore({ url: inject('pg').appUrl, masterKey: keygen(), notifyUrl: 'file:/tmp/x' })).rejects.toMatchObject({ code: 'INVALID_INPUT', path: '/notifyUrl' });
    await expect(openStore({ url: 'memory:', masterKey: keygen(), notifyUrl: inject('pg').appUrl })).rejects.toMatchObject({ code: 'INVALID_INPUT', path: '/notifyUrl' });
  });
});

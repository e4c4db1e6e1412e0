import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { SecretrefError } from '../../src/errors.js';
import { render } from '../../src/render/index.js';
import { createResolver } from '../../src/resolve/resolver.js';
import type { Resolver, ResolverOptions } from '../../src/resolve/resolver-types.js';
import { keygen } from '../../src/store/crypto-key.js';
import type { ScopedStore, Store } from '../../src/store/types.js';
import { ALL_KINDS, describeBackends } from '../helpers/backends.js';
import { fakeClock, rejected as rejection } from '../helpers/expect-error.js';



describeBackends('resolver', (backend) => {
  let store: Store;
  let secrets: ScopedStore;
  let developerId: string;
  const resolvers: Resolver[] = [];

  beforeAll(async () => {
    store = await backend.open();
    // Keeps the LISTEN connection up between tests: its reconnect would count as a query.
    store.subscribe(() => undefined);
    await store.listening();
  });

  afterEach(() => {
    for (const r of resolvers.splice(0)) r.close();
  });

  /** A resolver for a fresh developer, so tests never share rows or cache. */
  function fresh(opts: Omit<ResolverOptions, 'developerId'> = {}): Resolver {
    developerId = randomUUID();
    secrets = store.scope(developerId);
    const r = createResolver(store, { developerId, ...opts });
    resolvers.push(r);
    return r;
  }

  function queriesDuring<T>(fn: () => Promise<T>): Promise<{ out: T; queries: number }> {
    const before = store.stats().queries;
    return fn().then((out) => ({ out, queries: store.stats().queries - before }));
  }

  it('1,000 simultaneous cold resolves of the same 60 names cost exactly one store query', async () => {
    const r = fresh();
    const names = Array.from({ length: 60 }, (_, i) => `key_${i}`);
    for (const name of names) await secrets.create({ name, value: `value-of-${name}` });
    const { out, queries } = await queriesDuring(() =>
      Promise.all(Array.from({ length: 1000 }, () => r.resolve({ names }))),
    );
    expect(queries).toBe(1);
    for (const o of out) {
      expect(o.values.size).toBe(60);
      expect(o.values.get('key_7')?.value).toBe('value-of-key_7');
    }
    expect(r.stats()).toMatchObject({ storeQueries: 1, misses: 60, inflightJoins: 999 * 60, hits: 0 });
  });

  it('overlapping but different sets in one tick: one query, no name fetched twice', async () => {
    const r = fresh();
    for (const name of ['a', 'b', 'c', 'd']) await secrets.create({ name, value: `v_${name}` });
    const { out, queries } = await queriesDuring(() =>
      Promise.all([r.resolve({ names: ['a', 'b'] }), r.resolve({ names: ['b', 'c'] }), r.resolve({ names: ['c', 'd', 'a'] })]),
    );
    expect(queries).toBe(1);
    expect(out.map((o) => [...o.values.keys()])).toEqual([['a', 'b'], ['b', 'c'], ['c', 'd', 'a']]);
    expect(r.stats()).toMatchObject({ misses: 4, inflightJoins: 3 });
  });

  it('a later resolve joins names still in flight and loads only the new ones', async () => {
    const r = fresh();
    for (const name of ['a', 'b', 'c']) await secrets.create({ name, value: `v_${name}` });
    const first = r.resolve({ names: ['a', 'b'] });
    await Promise.resolve(); // the first batch has been sent
    await Promise.resolve();
    const second = r.resolve({ names: ['b', 'c'] });
    await Promise.all([first, second]);
    // b was joined (in flight) or hit (already answered), never loaded twice.
    expect(r.stats().misses).toBe(3);
    expect(r.stats().storeQueries).toBe(2);
  });

  it('a warm resolve costs no store query; the TTL (injected clock) sends the next one to the store', async () => {
    const clock = fakeClock();
    const r = fresh({ ttlMs: 1_000, perf: clock });
    await secrets.create({ name: 'api_key', value: 'v1' });
    expect((await queriesDuring(() => r.resolve({ names: ['api_key'] }))).queries).toBe(1);
    clock.advance(999);
    const warm = await queriesDuring(() => r.resolve({ names: ['api_key'] }));
    expect(warm.queries).toBe(0);
    expect(warm.out.values.get('api_key')?.value).toBe('v1');
    clock.advance(1);
    expect((await queriesDuring(() => r.resolve({ names: ['api_key'] }))).queries).toBe(1);
    expect(r.stats()).toMatchObject({ hits: 1, misses: 2, storeQueries: 2 });
  });

  it('invalidation in the same process, for every write kind (long TTL)', async () => {
    const r = fresh({ ttlMs: 3_600_000 });
    const value = async (name: string): Promise<string | undefined> => (await r.resolve({ names: [name] })).values.get(name)?.value;

    await secrets.create({ name: 'k', value: 'v1' });
    expect(await value('k')).toBe('v1');

    await secrets.update('k', { value: 'v2' }); // update
    expect(await value('k')).toBe('v2');

    await secrets.rotate('k', 'v3', { graceMs: 60_000 }); // rotate
    expect(await value('k')).toBe('v3');

    await secrets.rollback('k'); // rollback
    expect(await value('k')).toBe('v2');

    expect(await value('renamed')).toBeUndefined(); // cached as absent
    await secrets.update('k', { name: 'renamed' }); // rename: old name gone, new name there
    expect(await value('k')).toBeUndefined();
    expect(await value('renamed')).toBe('v2');

    await secrets.update('renamed', { allowedTools: ['only_this'] }); // policy change
    expect((await r.resolve({ names: ['renamed'], destinations: new Map([['renamed', [{ tool: 'other' }]]]) })).problems[0]?.code).toBe('PERMISSION_DENIED');

    await secrets.delete('renamed'); // delete
    expect((await r.resolve({ names: ['renamed'] })).missing).toEqual(['renamed']);

    await secrets.create({ name: 'k', value: 'v4' }); // create of a cached-absent name
    const before = (await r.resolve({ names: ['k'] })).values.get('k');
    expect(before?.value).toBe('v4');

    await store.rekey(keygen()); // rekey: same value, new key id
    const after = (await r.resolve({ names: ['k'] })).values.get('k');
    expect(after?.value).toBe('v4');
    expect(after?.keyId).toBe(store.keyId);
    expect(after?.keyId).not.toBe(before?.keyId);
    expect(r.stats().invalidations).toBeGreaterThanOrEqual(8);
  });

  it("another developer's writes do not invalidate this developer's cache", async () => {
    const r = fresh({ ttlMs: 3_600_000 });
    await secrets.create({ name: 'shared_name', value: 'mine' });
    await r.resolve({ names: ['shared_name'] });
    const other = store.scope(randomUUID());
    await other.create({ name: 'shared_name', value: 'theirs' });
    const { out, queries } = await queriesDuring(() => r.resolve({ names: ['shared_name'] }));
    expect(queries).toBe(0);
    expect(out.values.get('shared_name')?.value).toBe('mine');
  });

  it('absent names are cached briefly (no store hammering) and a create drops that at once', async () => {
    const clock = fakeClock();
    const r = fresh({ negativeTtlMs: 5_000, perf: clock });
    expect((await r.resolve({ names: ['typo_key'] })).missing).toEqual(['typo_key']);
    const again = await queriesDuring(() => r.resolve({ names: ['typo_key'] }));
    expect(again.queries).toBe(0);
    expect(again.out.missing).toEqual(['typo_key']);
    clock.advance(5_000);
    expect((await queriesDuring(() => r.resolve({ names: ['typo_key'] }))).queries).toBe(1);
    await secrets.create({ name: 'typo_key', value: 'now-here' });
    expect((await r.resolve({ names: ['typo_key'] })).values.get('typo_key')?.value).toBe('now-here');
  });

  it('environment overlay: prod_NAME when it exists, else NAME; both candidates in one query', async () => {
    const r = fresh({ environment: 'prod' });
    await secrets.create({ name: 'stripe_key', value: 'test-stripe' });
    await secrets.create({ name: 'prod_stripe_key', value: 'live-stripe' });
    await secrets.create({ name: 'db_url', value: 'shared-db' });
    const { out, queries } = await queriesDuring(() => r.resolve({ names: ['stripe_key', 'db_url', 'nowhere'] }));
    expect(queries).toBe(1);
    expect(out.values.get('stripe_key')).toMatchObject({ requested: 'stripe_key', name: 'prod_stripe_key', value: 'live-stripe' });
    expect(out.values.get('db_url')).toMatchObject({ requested: 'db_url', name: 'db_url', value: 'shared-db' });
    expect(out.missing).toEqual(['nowhere']);

    // Creating the overlay later switches to it at once.
    await secrets.create({ name: 'prod_db_url', value: 'prod-db' });
    expect((await r.resolve({ names: ['db_url'] })).values.get('db_url')?.name).toBe('prod_db_url');
    // Deleting it falls back at once.
    await secrets.delete('prod_stripe_key');
    expect((await r.resolve({ names: ['stripe_key'] })).values.get('stripe_key')?.name).toBe('stripe_key');
    // invalidate() by the name as written drops its overlay too.
    r.invalidate(['stripe_key']);
    expect((await queriesDuring(() => r.resolve({ names: ['stripe_key'] }))).queries).toBe(1);
  });

  it('render through the resolver: one query, the environment overlay applied', async () => {
    const r = fresh({ environment: 'prod' });
    await secrets.create({ name: 'api_key', value: 'dev-key' });
    await secrets.create({ name: 'prod_api_key', value: 'live-key' });
    await secrets.create({ name: 'db_password', value: 'p@ss:w/rd' });
    const definition = { name: 'tool', url: 'postgresql://app:${secrets.db_password}@db:5432/app', auth: 'Bearer $secrets.api_key' };
    const { out, queries } = await queriesDuring(() => render(definition, { resolver: r }));
    expect(queries).toBe(1);
    expect(out.value).toEqual({ name: 'tool', url: 'postgresql://app:p%40ss%3Aw%2Frd@db:5432/app', auth: 'Bearer live-key' });
  });

  it('expired secrets are SECRET_EXPIRED problems, never values', async () => {
    const wall = Date.now();
    const r = fresh({ now: () => wall + 2 * 3_600_000 });
    await secrets.create({ name: 'old_token', value: 'expired-value', expiresAt: new Date(wall + 3_600_000) });
    await secrets.create({ name: 'new_token', value: 'good-value', expiresAt: new Date(wall + 3 * 3_600_000) });
    const out = await r.resolve({ names: ['old_token', 'new_token'] });
    expect(out.values.has('old_token')).toBe(false);
    expect(out.values.get('new_token')?.value).toBe('good-value');
    expect(out.problems).toEqual([expect.objectContaining({ code: 'SECRET_EXPIRED', name: 'old_token' })]);
    expect(JSON.stringify(out.problems)).not.toContain('expired-value');
  });

  it('usage policy: tools and hosts', async () => {
    const r = fresh();
    await secrets.create({ name: 'stripe_key', value: 'sk-value', allowedTools: ['charge'], allowedHosts: ['api.stripe.com', '*.stripe.net'] });
    const ok = await r.resolve({ names: ['stripe_key'], destinations: new Map([['stripe_key', ['API.Stripe.com'].map((host) => ({ tool: 'charge', host }))]]) });
    expect(ok.values.get('stripe_key')?.value).toBe('sk-value');
    const wrongTool = await r.resolve({ names: ['stripe_key'], destinations: new Map([['stripe_key', [{ tool: 'refund' }]]]) });
    expect(wrongTool.problems.map((p) => [p.code, p.name])).toEqual([['PERMISSION_DENIED', 'stripe_key']]);
    const noTool = await r.resolve({ names: ['stripe_key'] });
    expect(noTool.problems.map((p) => p.code)).toEqual(['PERMISSION_DENIED']);
    const wrongHost = await r.resolve({ names: ['stripe_key'], destinations: new Map([['stripe_key', ['evil.example'].map((host) => ({ tool: 'charge', host }))]]) });
    expect(wrongHost.problems.map((p) => p.code)).toEqual(['PERMISSION_DENIED']);
    const wildcard = await r.resolve({ names: ['stripe_key'], destinations: new Map([['stripe_key', ['files.stripe.net'].map((host) => ({ tool: 'charge', host }))]]) });
    expect(wildcard.problems).toEqual([]);
    for (const o of [wrongTool, noTool, wrongHost]) expect(JSON.stringify(o.problems)).not.toContain('sk-value');
  });

  it('providerKey resolves the provider secret through the cache', async () => {
    const r = fresh();
    await secrets.create({ name: 'OPENAI_API_KEY', value: 'openai-value' });
    expect(await r.providerKey('gpt-4o')).toBe('openai-value');
    expect(await r.providerKey('openai/gpt-4o-mini')).toBe('openai-value');
    expect(r.stats()).toMatchObject({ storeQueries: 1, hits: 1 });
    const missing = await rejection(r.providerKey('claude-sonnet-4-5'));
    expect(missing.code).toBe('SECRET_NOT_FOUND');
    expect(missing.problems[0]?.name).toBe('ANTHROPIC_API_KEY');
    expect((await rejection(r.providerKey('llama-3-70b'))).code).toBe('INVALID_INPUT');
  });

  it('providerKey uses the caller table and the environment overlay', async () => {
    const r = fresh({ environment: 'prod', providers: { providers: { acme: 'ACME_KEY' }, models: { 'acme-': 'acme' } } });
    await secrets.create({ name: 'ACME_KEY', value: 'dev-acme' });
    await secrets.create({ name: 'prod_ACME_KEY', value: 'prod-acme' });
    expect(await r.providerKey('acme-large')).toBe('prod-acme');
  });

  it('suggest: existing names close to the wanted ones (paginated list, names only)', async () => {
    const r = fresh();
    await secrets.create({ name: 'stripe_api_key', value: 'x1' });
    await secrets.create({ name: 'Stripe_Api_Key_2', value: 'x2' });
    await secrets.create({ name: 'unrelated', value: 'x3' });
    const s = await r.suggest(['stripe_api_kye', 'STRIPE_API_KEY', 'zzzzzz']);
    expect(s.get('stripe_api_kye')).toContain('stripe_api_key');
    expect(s.get('STRIPE_API_KEY')?.[0]).toBe('stripe_api_key');
    expect(s.get('zzzzzz')).toEqual([]);
  });

  it('the cache is bounded by maxEntries', async () => {
    const r = fresh({ maxEntries: 10 });
    const names = Array.from({ length: 50 }, (_, i) => `n_${i}`);
    await r.resolve({ names });
    expect(r.stats().entries).toBe(10);
  });

  it('stats and errors never contain a value', async () => {
    const r = fresh();
    const value = `s3cr3t-${randomUUID()}`;
    await secrets.create({ name: 'guarded', value, allowedTools: ['t'] });
    await r.resolve({ names: ['guarded'], destinations: new Map([['guarded', [{ tool: 't' }]]]) });
    const denied = await r.resolve({ names: ['guarded'], destinations: new Map([['guarded', [{ tool: 'u' }]]]) });
    const text = JSON.stringify([r.stats(), denied.problems, await rejection(r.providerKey('guarded_unknown_model'))]);
    expect(text).not.toContain(value);
    const { notifications, ...counts } = r.stats();
    // The store's probe verified the notification path in beforeAll (embedded: in-process).
    expect(notifications).toBe(backend.kind === 'embedded' ? 'local' : 'verified');
    for (const v of Object.values(counts)) expect(typeof v).toBe('number');
  });

  it('invalid names reject with INVALID_NAME before reaching the store', async () => {
    const r = fresh();
    const { out, queries } = await queriesDuring(() => rejection(r.resolve({ names: ['ok_name', 'bad-name', '1x'] })));
    expect(queries).toBe(0);
    expect(out.code).toBe('INVALID_NAME');
    expect(out.problems.map((p) => p.name)).toEqual(['bad-name', '1x']);
  });

  it('invalidate() and close()', async () => {
    const r = fresh({ ttlMs: 3_600_000 });
    await secrets.create({ name: 'k', value: 'v' });
    await r.resolve({ names: ['k'] });
    r.invalidate(['k']);
    expect((await queriesDuring(() => r.resolve({ names: ['k'] }))).queries).toBe(1);
    r.invalidate();
    expect(r.stats().entries).toBe(0);
    r.close();
    r.close();
    expect((await rejection(r.resolve({ names: ['k'] }))).code).toBe('INVALID_INPUT');
  });

  it('bad options are INVALID_INPUT', () => {
    for (const bad of [{ ttlMs: -1 }, { maxEntries: 0 }, { maxStaleMs: 1.5 }, { environment: 'prod-eu' }, { environment: '_x' }]) {
      let code: string | undefined;
      try {
        createResolver(store, { developerId: randomUUID(), ...bad });
      } catch (e) {
        code = (e as SecretrefError).code;
      }
      expect(code).toBe('INVALID_INPUT');
    }
  });
}, ALL_KINDS);

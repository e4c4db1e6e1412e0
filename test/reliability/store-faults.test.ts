/**
 * Store faults on the PostgreSQL server, seen through `render()` with a resolver: connections
 * killed under load (pg_terminate_backend), a statement timeout, an exhausted pool, a server that
 * refuses or stops answering, a server that goes away mid-render. Each ends in STORE_UNAVAILABLE
 * (or stale serving within maxStaleMs) in bounded time — never a hang, never a partial render —
 * and the resolver recovers when the server is back, its LISTEN subscription included.
 *
 * The shared test server is never stopped: outages are per-test TCP proxies or killed connections.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { render } from '../../src/render/render.js';
import { createResolver } from '../../src/resolve/resolver.js';
import type { Resolver, ResolverOptions } from '../../src/resolve/resolver-types.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { OpenStoreOptions, Store, StoreEvent } from '../../src/store/types.js';
import { startTcpProxy, type TcpProxy } from '../resolve/tcp-proxy.js';
import { budget, scale } from '../helpers/stress.js';
import { sleep, until } from '../helpers/wait.js';

const { appUrl, adminUrl } = inject('pg');
const REFS = 6;
const DEFINITION = {
  name: 'faulty_tool',
  url: 'https://api.example.com/v1',
  headers: Object.fromEntries(Array.from({ length: REFS }, (_, i) => [`X-K${i}`, `Bearer $secrets.k_${i}`])),
};
const expectedHeaders = (tag: string) => Object.fromEntries(Array.from({ length: REFS }, (_, i) => [`X-K${i}`, `Bearer ${tag}-${i}`]));

const stores: Store[] = [];
const proxies: TcpProxy[] = [];
const clients: pg.Client[] = [];
const resolvers: Resolver[] = [];
afterEach(() => {
  for (const r of resolvers.splice(0)) r.close();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
});

function withAppName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

async function open(opts: OpenStoreOptions & { schema: string; masterKey: string }): Promise<Store> {
  const s = await openStore({ url: appUrl, ...opts });
  stores.push(s);
  return s;
}

async function client(url = adminUrl ?? appUrl): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return c;
}

/** A schema with the k_0..k_{REFS-1} secrets of one developer, values `${tag}-i`. */
async function seeded(tag = 'v1'): Promise<{ schema: string; masterKey: string; developerId: string }> {
  const schema = `f_${Math.random().toString(36).slice(2, 10)}`;
  const masterKey = keygen();
  const developerId = randomUUID();
  const s = await open({ schema, masterKey });
  for (let i = 0; i < REFS; i++) await s.scope(developerId).create({ name: `k_${i}`, value: `${tag}-${i}` });
  return { schema, masterKey, developerId };
}

function resolverOn(store: Store, opts: ResolverOptions): Resolver {
  const r = createResolver(store, opts);
  resolvers.push(r);
  return r;
}

type Outcome = { ok: true; ms: number } | { ok: false; code: string; ms: number };

/** One render; a success must be complete and exact, a failure must be a catalogued error. */
async function attempt(resolver: Resolver, tag = 'v1'): Promise<Outcome> {
  const started = performance.now();
  try {
    const out = await render(DEFINITION, { resolver });
    expect((out.value as { headers: unknown }).headers).toEqual(expectedHeaders(tag));
    return { ok: true, ms: performance.now() - started };
  } catch (e) {
    if (!(e instanceof SecretrefError)) throw e;
    return { ok: false, code: e.code, ms: performance.now() - started };
  }
}

/** Takes the row lock of `name` in the open transaction of `c` (RLS hides rows without a tenant). */
async function lockRow(c: pg.Client, schema: string, name: string, developerId: string): Promise<void> {
  await c.query(`select set_config('secretref.developer_id', $1, true)`, [developerId]);
  const r = await c.query(`select 1 from "${schema}".secrets where name = $1 for update`, [name]);
  expect(r.rowCount).toBe(1);
}

/** For polling: true once a render succeeds with exactly the `tag` values. */
const recovered = (r: Resolver, tag = 'v1') => async (): Promise<boolean> => {
  try {
    const out = await render(DEFINITION, { resolver: r });
    return JSON.stringify((out.value as { headers: unknown }).headers) === JSON.stringify(expectedHeaders(tag));
  } catch {
    return false;
  }
};

describe('store faults under render', () => {
  it('connections killed with pg_terminate_backend under load: each render whole or STORE_UNAVAILABLE, quickly; stale serving covers it; recovery', async () => {
    const admin = await client();
    const app = `fault_${randomUUID().slice(0, 8)}`;
    const { schema, masterKey, developerId } = await seeded();
    const store = await open({ url: withAppName(appUrl, app), schema, masterKey, connectTimeoutMs: 2_000 });
    const strict = resolverOn(store, { developerId, ttlMs: 0, timeoutMs: 3_000 }); // every render asks the store
    const stale = resolverOn(store, { developerId, ttlMs: 20, maxStaleMs: 600_000, timeoutMs: 3_000 });
    expect((await attempt(strict)).ok).toBe(true);
    expect((await attempt(stale)).ok).toBe(true);

    let killing = true;
    let terminated = 0;
    const killer = (async () => {
      while (killing) {
        const r = await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()`,
          [app],
        );
        terminated += r.rowCount ?? 0;
        await sleep(15);
      }
    })();
    const RENDERS = scale(1_500, 20_000);
    const CALLERS = 40;
    const outcomes: { strict: Outcome[]; stale: Outcome[] } = { strict: [], stale: [] };
    let left = RENDERS;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        while (left-- > 0) {
          const which = c % 2 ? 'strict' : 'stale';
          outcomes[which].push(await attempt(which === 'strict' ? strict : stale));
        }
      }),
    );
    killing = false;
    await killer;

    const all = [...outcomes.strict, ...outcomes.stale];
    expect(terminated).toBeGreaterThan(0);
    for (const o of all) {
      if (!o.ok) expect(o.code).toBe('STORE_UNAVAILABLE');
      expect(o.ms).toBeLessThan(5_000);
    }
    // With a stale budget, a killed query is answered from the cache: no render fails.
    expect(outcomes.stale.filter((o) => !o.ok)).toEqual([]);
    const failed = outcomes.strict.filter((o) => !o.ok).length;
    console.info(`[reliability] pg_terminate_backend: ${terminated} connections killed during ${RENDERS} renders; strict resolver ${failed} STORE_UNAVAILABLE, stale resolver 0 failures (${stale.stats().staleServed} names served stale)`);
    await until(recovered(strict), 5_000);
  }, budget(60_000, 300_000));

  it('a statement timeout (a lock held by another connection) ends in STORE_UNAVAILABLE within the timeout; recovery', async () => {
    const { schema, masterKey, developerId } = await seeded();
    const store = await open({ schema, masterKey, statementTimeoutMs: 300 });
    const r = resolverOn(store, { developerId, ttlMs: 0 });
    expect((await attempt(r)).ok).toBe(true);

    // The superuser: since migration 3 the application role has no UPDATE/DELETE/TRUNCATE on the
    // audit, which LOCK ... ACCESS EXCLUSIVE needs.
    const holder = await client();
    await holder.query('begin');
    await holder.query(`lock table "${schema}".audit in access exclusive mode`); // every resolution is audited
    const blocked = await attempt(r);
    expect(blocked).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
    expect(blocked.ms).toBeLessThan(3_000);
    // Writes wait for a row lock the same bounded way.
    await holder.query('rollback');
    await holder.query('begin');
    await lockRow(holder, schema, 'k_0', developerId);
    const started = performance.now();
    const write = await store.scope(developerId).rotate('k_0', 'never-written').then(
      () => 'ok',
      (e: SecretrefError) => e.code,
    );
    expect(write).toBe('STORE_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(3_000);
    await holder.query('rollback');
    await until(recovered(r), 3_000);
    expect((await store.scope(developerId).get('k_0', { reveal: true })).value).toBe('v1-0');
  });

  it('an exhausted pool (size 1, its connection held) fails a render within the connect timeout; recovery when it frees', async () => {
    const { schema, masterKey, developerId } = await seeded();
    const store = await open({ schema, masterKey, poolSize: 1, connectTimeoutMs: 500, statementTimeoutMs: 20_000 });
    const r = resolverOn(store, { developerId, ttlMs: 0 });
    expect((await attempt(r)).ok).toBe(true);

    const holder = await client(appUrl);
    await holder.query('begin');
    await lockRow(holder, schema, 'k_0', developerId);
    // This write takes the pool's only connection and waits on the row lock.
    const held = store.scope(developerId).rotate('k_0', 'v2-0', { graceMs: 0 });
    await sleep(200);
    const outcome = await attempt(r);
    expect(outcome).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
    expect(outcome.ms).toBeLessThan(3_000);
    await holder.query('rollback');
    await held;
    const out = await render(DEFINITION, { resolver: r });
    expect((out.value as { headers: Record<string, string> }).headers).toEqual({ ...expectedHeaders('v1'), 'X-K0': 'Bearer v2-0' });
  });

  it('a refused, a hung, and a vanished-mid-render server: STORE_UNAVAILABLE in bounded time, never partial; recovery incl. LISTEN', async () => {
    const proxy = await startTcpProxy(appUrl);
    proxies.push(proxy);
    const { schema, masterKey, developerId } = await seeded();
    const store = await open({ url: proxy.url, schema, masterKey, connectTimeoutMs: 1_000, statementTimeoutMs: 5_000 });
    const direct = await open({ schema, masterKey }); // another "process" writing while we are cut off
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const r = resolverOn(store, { developerId, ttlMs: 0, timeoutMs: 800 });
    const cached = resolverOn(store, { developerId, ttlMs: 3_600_000 });
    await store.listening();
    expect((await attempt(r)).ok).toBe(true);
    expect((await attempt(cached)).ok).toBe(true);

    // Vanishes mid-render: many renders in flight, then the server is gone.
    const inFlight = Array.from({ length: 60 }, () => attempt(r));
    await new Promise((res) => setImmediate(res));
    await proxy.refuse();
    const settled = await Promise.all(inFlight);
    for (const o of settled) {
      if (!o.ok) expect(o.code).toBe('STORE_UNAVAILABLE');
      expect(o.ms).toBeLessThan(3_000);
    }
    // Refused.
    await until(() => events.some((e) => e.type === 'reset'), 3_000);
    const refused = await attempt(r);
    expect(refused).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
    expect(refused.ms).toBeLessThan(2_000);
    // The long-TTL cache is distrusted after the LISTEN connection dropped (changes may be missed).
    expect(await attempt(cached)).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });

    // Hung: connections accepted, never answered.
    await proxy.restore();
    proxy.blackhole();
    const hung = await attempt(r);
    expect(hung).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
    expect(hung.ms).toBeLessThan(3_000);

    // Back: renders recover, and so does the LISTEN subscription (a second reset announces it).
    const resets = (): number => events.filter((e) => e.type === 'reset').length;
    const resetsBefore = resets();
    await proxy.restore();
    await until(recovered(r), 8_000);
    await until(() => resets() > resetsBefore, 10_000); // the LISTEN connection is back
    await store.listening();
    await until(recovered(cached), 3_000);
    const resetsNow = resets();
    for (let i = 0; i < REFS; i++) await direct.scope(developerId).update(`k_${i}`, { value: `v2-${i}` });
    // Seen through NOTIFY despite the hour-long TTL (no reset in between to explain it).
    await until(recovered(cached, 'v2'), 3_000);
    expect(resets()).toBe(resetsNow);
  }, budget(60_000, 120_000));
});

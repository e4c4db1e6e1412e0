/** `ScopedStore.listNames()`: the one bounded walk over a developer's names, on both backends. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { INTERNAL_LIMITS } from '../../src/limits.js';
import type { Store } from '../../src/store/types.js';
import { describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const n of it) out.push(n);
  return out;
}

describeBackends('store listNames', (backend) => {
  /** `count` rows named `${prefix}00000…` for `developerId`, written straight into the table (listing reads no value). */
  async function seed(store: Store, developerId: string, count: number, prefix = 'n'): Promise<void> {
    await backend.sql(
      // binding 0: rows with no real ciphertext nor HMAC (listing names reads neither).
      `insert into ${store.schema}.secrets (developer_id, name, value_encrypted, key_id, binding)
       select $1::uuid, $2 || lpad(g::text, 6, '0'), '\\x00'::bytea, $4, 0 from generate_series(1, $3::integer) g`,
      // The store's key id: a write under another key than the developer's rows is refused.
      [developerId, prefix, count, store.keyId],
      { developerId },
    );
  }

  it('yields every name in byte order, one round trip per 1,000, never another developer\'s', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await seed(store, dev, 2_500);
    await seed(store, randomUUID(), 10, 'other');
    const scoped = store.scope(dev);
    await scoped.create({ name: 'Zeta', value: 'v' });
    await scoped.create({ name: 'alpha', value: 'v' });
    const before = store.stats().queries;
    const names = await collect(scoped.listNames());
    expect(store.stats().queries - before).toBe(3);
    expect(names).toHaveLength(2_502);
    expect(names.slice(0, 2)).toEqual(['Zeta', 'alpha']); // byte order: upper case first
    expect(names.slice(2)).toEqual(Array.from({ length: 2_500 }, (_, i) => `n${String(i + 1).padStart(6, '0')}`));
    expect(names.some((n) => n.startsWith('other'))).toBe(false);
  });

  it('filters by length in the database: only names of the asked lengths, same order and pages', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await seed(store, dev, 1_200, 'a'); // a000001: 7 characters
    const scoped = store.scope(dev);
    for (const name of ['abc', 'abcdefghij', 'Zz', 'b00000001']) await scoped.create({ name, value: 'v' });
    expect(await collect(scoped.listNames({ lengths: { min: 9, max: 10 } }))).toEqual(['abcdefghij', 'b00000001']);
    expect(await collect(scoped.listNames({ lengths: { min: 1, max: 3 } }))).toEqual(['Zz', 'abc']);
    const before = store.stats().queries;
    expect(await collect(scoped.listNames({ lengths: { min: 7, max: 7 } }))).toHaveLength(1_200);
    expect(store.stats().queries - before).toBe(2);
    expect(await collect(scoped.listNames({ prefix: 'b', lengths: { min: 7, max: 9 } }))).toEqual(['b00000001']);
    for (const lengths of [{ min: 0, max: 3 }, { min: 4, max: 3 }, { min: 1, max: 129 }]) {
      expect((await rejected(collect(scoped.listNames({ lengths })))).code).toBe('INVALID_INPUT');
    }
  });

  it('filters by prefix, stops after max, and reads no page it does not need', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await seed(store, dev, 1_500, 'a');
    await seed(store, dev, 20, 'b');
    const scoped = store.scope(dev);
    expect(await collect(scoped.listNames({ prefix: 'b' }))).toEqual(Array.from({ length: 20 }, (_, i) => `b${String(i + 1).padStart(6, '0')}`));
    let before = store.stats().queries;
    expect(await collect(scoped.listNames({ max: 1_001 }))).toHaveLength(1_001);
    expect(store.stats().queries - before).toBe(2);
    before = store.stats().queries;
    for await (const n of scoped.listNames()) if (n) break;
    expect(store.stats().queries - before).toBe(1);
    expect(await collect(scoped.listNames({ prefix: 'nothing' }))).toEqual([]);
  });

  it(`ends after INTERNAL_LIMITS.listNamesMax (${INTERNAL_LIMITS.listNamesMax}) names; larger bounds are refused`, async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await seed(store, dev, INTERNAL_LIMITS.listNamesMax + 5);
    const names = await collect(store.scope(dev).listNames());
    expect(names).toHaveLength(INTERNAL_LIMITS.listNamesMax);
    expect(names.at(-1)).toBe(`n${String(INTERNAL_LIMITS.listNamesMax).padStart(6, '0')}`);
    const scoped = store.scope(dev);
    for (const opts of [{ max: INTERNAL_LIMITS.listNamesMax + 1 }, { max: 0 }, { max: 1.5 }, { prefix: "x' or 1=1" }, { other: 1 }]) {
      expect((await rejected(collect(scoped.listNames(opts as never)))).code, JSON.stringify(opts)).toBe('INVALID_INPUT');
    }
    await store.close();
    expect((await rejected(collect(scoped.listNames()))).code).toBe('STORE_UNAVAILABLE');
  }, 120_000);
});

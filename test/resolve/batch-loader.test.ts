import { describe, expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { BatchLoader, type Batch } from '../../src/resolve/batch-loader.js';
import type { ResolvedSecret } from '../../src/store/types.js';

function secret(name: string, value = `v-${name}`): ResolvedSecret {
  return { name, value, version: 1, keyId: 'k', updatedAt: new Date(0), expiresAt: null, allowedTools: null, allowedHosts: null };
}

/** A loader whose store answers only when the test says so. */
function harness(opts: { maxNamesPerQuery?: number; timeoutMs?: number } = {}) {
  const calls: { names: string[]; answer(found?: string[]): void; fail(e: unknown): void }[] = [];
  const loaded: { batch: Batch; names: string[] }[] = [];
  const loader = new BatchLoader({
    maxNamesPerQuery: opts.maxNamesPerQuery ?? 100,
    timeoutMs: opts.timeoutMs ?? 60_000,
    load: (names) =>
      new Promise((resolve, reject) => {
        calls.push({
          names,
          answer: (found = names) => resolve(new Map(found.map((n) => [n, secret(n)]))),
          fail: reject,
        });
      }),
    onLoaded: (batch, result) => {
      const dropped = batch.dropped;
      loaded.push({ batch, names: [...result.keys()].filter((n) => dropped !== true && !dropped.has(n)) });
    },
  });
  return { loader, calls, loaded };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BatchLoader', () => {
  it('names added in the same tick go out in one load', async () => {
    const { loader, calls } = harness();
    const a = loader.add('a');
    const b = loader.add('b');
    expect(a).toBe(b);
    expect(calls).toHaveLength(0); // sent from a microtask, after every synchronous caller
    await tick();
    expect(calls.map((c) => c.names)).toEqual([['a', 'b']]);
    calls[0]?.answer();
    expect([...(await a.promise).keys()]).toEqual(['a', 'b']);
  });

  it('a name in flight is pending until answered, then released', async () => {
    const { loader, calls } = harness();
    const a = loader.add('a');
    await tick();
    expect(loader.pending('a')).toBe(a);
    calls[0]?.answer();
    await a.promise;
    expect(loader.pending('a')).toBeUndefined();
  });

  it('names written while in flight are answered but not cached, and not joined afterwards', async () => {
    const { loader, calls, loaded } = harness();
    const batch = loader.add('a');
    loader.add('b');
    await tick();
    loader.forget(['a']);
    expect(loader.pending('a')).toBeUndefined();
    expect(loader.pending('b')).toBe(batch);
    calls[0]?.answer();
    const result = await batch.promise;
    expect([...result.keys()]).toEqual(['a', 'b']);
    expect(loaded[0]?.names).toEqual(['b']);
  });

  it('forgetAll (a reset) keeps a whole in-flight batch out of the cache', async () => {
    const { loader, calls, loaded } = harness();
    const batch = loader.add('a');
    await tick();
    loader.forgetAll();
    calls[0]?.answer();
    await batch.promise;
    expect(loaded[0]?.names).toEqual([]);
  });

  it('a failure rejects every waiter and releases the names', async () => {
    const { loader, calls } = harness();
    const batch = loader.add('a');
    await tick();
    calls[0]?.fail(new SecretrefError('STORE_UNAVAILABLE', 'down'));
    await expect(batch.promise).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(loader.pending('a')).toBeUndefined();
  });

  it('a store that never answers fails with STORE_UNAVAILABLE after timeoutMs; the late answer is ignored', async () => {
    const { loader, calls, loaded } = harness({ timeoutMs: 30 });
    const batch = loader.add('a');
    const started = Date.now();
    await expect(batch.promise).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(loader.pending('a')).toBeUndefined();
    calls[0]?.answer();
    await tick();
    expect(loaded).toHaveLength(0);
  });

  it('a batch larger than one query allows is split, and fails as a whole', async () => {
    const { loader, calls } = harness({ maxNamesPerQuery: 2 });
    const batch = loader.add('a');
    loader.add('b');
    loader.add('c');
    await tick();
    expect(calls.map((c) => c.names)).toEqual([['a', 'b'], ['c']]);
    calls[0]?.answer();
    calls[1]?.fail(new SecretrefError('STORE_UNAVAILABLE', 'down'));
    await expect(batch.promise).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('a load that throws synchronously rejects the batch', async () => {
    const loader = new BatchLoader({
      maxNamesPerQuery: 10,
      timeoutMs: 1000,
      load: () => {
        throw new SecretrefError('INVALID_NAME', 'bad');
      },
      onLoaded: () => undefined,
    });
    await expect(loader.add('a').promise).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });
});

/**
 * Load: renders from 200 concurrent callers against the PostgreSQL server while the secrets they
 * use are being rotated — by this process's store and by another store object (another process,
 * seen through LISTEN/NOTIFY). Default 2,000 renders; SECRETREF_STRESS=1: 10,000.
 *
 * THE CONSISTENCY RULE (what a render may see while secrets rotate):
 *   A render resolves all its names in one `resolver.resolve()` call. Each name's value comes from
 *   exactly one resolver batch — one store query, whether it was answered for this render, joined
 *   in flight, or cached from an earlier render — so:
 *   1. Whole values: every value is exactly one the secret had (never torn, never another
 *      secret's), and the version the render reports is the version of that value.
 *   2. Old or new: a value is never older than the last rotation that completed before the render
 *      began (a write through the same store invalidates at once; through another store, once its
 *      NOTIFY arrives — bounded here by 2 s), nor newer than the last rotation begun before it ended.
 *   3. One batch, one snapshot: the values a render takes from the same batch come from one
 *      database snapshot (one statement), so they show the rotations in commit order. A render
 *      mixes old and new values only across batches — when a rotation committed between the batch
 *      one name came from and the batch another came from. A render is therefore NOT guaranteed to
 *      draw all its values from a single batch: names cached by earlier renders are reused while a
 *      rotated name is reloaded. This test measures how often renders span several batches.
 *
 * Batches are observed without mocking anything: the store handed to the resolver delegates to the
 * real one and tags the `updatedAt` Date of every row a query returns with that query's number;
 * `render(..., { plan: true })` hands those same objects back per reference.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { render } from '../../src/render/render.js';
import { createResolver } from '../../src/resolve/resolver.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { ResolvedSecret, ScopedStore, Store } from '../../src/store/types.js';
import { generationOf, valueOf } from '../helpers/canary.js';
import { budget, scale } from '../helpers/stress.js';
import { sleep } from '../helpers/wait.js';

const RENDERS = scale(2_000, 10_000);
const CALLERS = 200;
const LOCAL = 6; // l_i: rotated through the resolver's own store
const REMOTE = 4; // x_i: rotated through another store object (NOTIFY)
const STATIC = 3;
const NOTIFY_BOUND_MS = 2_000;
const PAUSE_MS = 100;

/** An `updatedAt` that also says which store query produced it. */
class BatchDate extends Date {
  constructor(
    time: number,
    readonly batch: number,
  ) {
    super(time);
  }
}

/** The real store, with each resolveDetailed answer tagged by its query number. */
function observed(store: Store): { store: Store; batches: () => number } {
  let seq = 0;
  const scope = (developerId: string): ScopedStore => {
    const s = store.scope(developerId);
    return {
      developerId: s.developerId,
      create: (i) => s.create(i),
      get: (n, o) => s.get(n, o),
      list: (o) => s.list(o),
      update: (n, p) => s.update(n, p),
      delete: (n) => s.delete(n),
      rotate: (n, v, o) => s.rotate(n, v, o),
      rollback: (n) => s.rollback(n),
      resolveMany: (n) => s.resolveMany(n),
      inspectMany: (n) => s.inspectMany(n),
      listNames: (o) => s.listNames(o),
      importSecret: (i, o) => s.importSecret(i, o),
      audit: (q) => s.audit(q),
      async resolveDetailed(names: Iterable<string>): Promise<Map<string, ResolvedSecret>> {
        const batch = ++seq;
        const out = await s.resolveDetailed(names);
        for (const [k, v] of out) out.set(k, { ...v, updatedAt: new BatchDate(v.updatedAt.getTime(), batch) });
        return out;
      },
    };
  };
  return {
    batches: () => seq,
    store: {
      backend: store.backend,
      schema: store.schema,
      get keyId() {
        return store.keyId;
      },
      scope,
      rekey: (k, o) => store.rekey(k, o),
      subscribe: (l) => store.subscribe(l),
      listening: () => store.listening(),
      stats: () => store.stats(),
      close: () => store.close(),
    },
  };
}

const DEFINITION = {
  name: 'load_tool',
  url: 'https://api.example.com/v1',
  headers: {
    ...Object.fromEntries(Array.from({ length: LOCAL }, (_, i) => [`L${i}`, `$secrets.l_${i}`])),
    ...Object.fromEntries(Array.from({ length: REMOTE }, (_, i) => [`X${i}`, `{{ secrets.x_${i} }}`])),
  },
  body: Object.fromEntries(Array.from({ length: STATIC }, (_, i) => [`s${i}`, `prefix-\${secrets.st_${i}}-suffix`])),
};

/** Per secret: generations begun and completed, with completion times (the rotator's log). */
class RotationLog {
  readonly begun: number[];
  readonly done: number[];
  readonly doneAt: number[][];
  constructor(n: number) {
    this.begun = Array<number>(n).fill(0);
    this.done = Array<number>(n).fill(0);
    this.doneAt = Array.from({ length: n }, () => [0]);
  }
  /** Highest generation of secret i completed at or before time t. */
  doneBy(i: number, t: number): number {
    const at = this.doneAt[i] as number[];
    let g = 0;
    while (g + 1 < at.length && (at[g + 1] as number) <= t) g++;
    return g;
  }
}

/** Values of one batch: a non-increasing run of generations in rotation order, spread ≤ 1. */
function oneSnapshot(gens: number[]): boolean {
  for (let k = 1; k < gens.length; k++) if ((gens[k] as number) > (gens[k - 1] as number)) return false;
  return gens.length === 0 || (gens[0] as number) - (gens[gens.length - 1] as number) <= 1;
}

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe('load: 200 concurrent callers while secrets rotate', () => {
  it(`${RENDERS} renders: none fails, every value whole, old-or-new, one snapshot per batch`, async () => {
    const url = inject('pg').appUrl;
    const schema = `load_${Math.random().toString(36).slice(2, 10)}`;
    const masterKey = keygen();
    const developerId = randomUUID();
    const real = await openStore({ url, schema, masterKey });
    const other = await openStore({ url, schema, masterKey });
    stores.push(real, other);
    const mine = real.scope(developerId);
    for (let i = 0; i < LOCAL; i++) await mine.create({ name: `l_${i}`, value: valueOf(i, 0) });
    for (let i = 0; i < REMOTE; i++) await mine.create({ name: `x_${i}`, value: valueOf(100 + i, 0) });
    for (let i = 0; i < STATIC; i++) await mine.create({ name: `st_${i}`, value: `static ${i} ${'$'.repeat(i)}` });
    const { store, batches } = observed(real);
    const resolver = createResolver(store, { developerId });
    await real.listening();
    const queriesBefore = real.stats().queries;

    const local = new RotationLog(LOCAL);
    const remote = new RotationLog(REMOTE);
    let rendering = true;
    const rotator = async (log: RotationLog, scoped: ScopedStore, prefix: string, offset: number): Promise<void> => {
      for (let gen = 1; rendering; gen++) {
        for (let i = 0; i < log.begun.length && rendering; i++) {
          log.begun[i] = gen;
          await scoped.rotate(`${prefix}_${i}`, valueOf(offset + i, gen), { graceMs: 60_000 });
          log.done[i] = gen;
          (log.doneAt[i] as number[])[gen] = performance.now();
        }
        await sleep(2);
      }
    };
    const rotators = [rotator(local, mine, 'l', 0), rotator(remote, other.scope(developerId), 'x', 100)];

    const failures: unknown[] = [];
    const violations: string[] = [];
    const perRender = { oneBatch: 0, severalBatches: 0, mixedAcrossBatches: 0 };
    let started = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        // At least RENDERS renders, and on until every secret rotated twice during the run (on a
        // loaded machine the rotators get fewer turns); bounded, so a rotator that never runs fails below.
        const rotatedTwice = (): boolean => Math.min(...local.done, ...remote.done) >= 2;
        while (started < RENDERS || (!rotatedTwice() && started < RENDERS * 10)) {
          started++;
          // A caller does other work between renders (the tool runs); the run spans many rotations.
          await sleep(Math.random() * PAUSE_MS);
          const begin = performance.now();
          const doneBefore = local.done.slice();
          let out;
          try {
            out = await render(DEFINITION, { resolver, plan: true });
          } catch (e) {
            failures.push(e);
            continue;
          }
          const begunBefore = local.begun.slice();
          const value = out.value as { headers: Record<string, string>; body: Record<string, string> };
          const plan = new Map((out.plan ?? []).map((p) => [p.reference, p]));
          const byBatch = new Map<number, { local: number[]; remote: number[] }>();
          const all = { local: [] as number[], remote: [] as number[] };
          const check = (kind: 'local' | 'remote', i: number, name: string, v: string | undefined, offset: number): void => {
            const gen = generationOf(offset + i, v ?? '');
            const p = plan.get(name);
            if (gen === undefined || p === undefined || p.version !== gen + 1) {
              violations.push(`${name}: not a whole value of its own (version ${p?.version})`);
              return;
            }
            if (kind === 'local' && (gen < (doneBefore[i] as number) || gen > (begunBefore[i] as number))) {
              violations.push(`l_${i}: generation ${gen} outside [${doneBefore[i]}, ${begunBefore[i]}]`);
            }
            if (kind === 'remote' && gen < remote.doneBy(i, begin - NOTIFY_BOUND_MS)) {
              violations.push(`x_${i}: generation ${gen} older than one completed ${NOTIFY_BOUND_MS} ms before the render`);
            }
            const batch = p.updatedAt instanceof BatchDate ? p.updatedAt.batch : -1;
            if (!byBatch.has(batch)) byBatch.set(batch, { local: [], remote: [] });
            byBatch.get(batch)?.[kind].push(gen);
            all[kind].push(gen);
          };
          for (let i = 0; i < LOCAL; i++) check('local', i, `l_${i}`, value.headers[`L${i}`], 0);
          for (let i = 0; i < REMOTE; i++) check('remote', i, `x_${i}`, value.headers[`X${i}`], 100);
          for (let i = 0; i < STATIC; i++) {
            if (value.body[`s${i}`] !== `prefix-static ${i} ${'$'.repeat(i)}-suffix`) violations.push(`st_${i}: wrong value`);
          }
          for (const [batch, g] of byBatch) {
            if (batch < 0) violations.push('a value that came from no store query');
            if (!oneSnapshot(g.local) || !oneSnapshot(g.remote)) violations.push(`batch ${batch}: values from more than one snapshot`);
          }
          if (byBatch.size === 1) perRender.oneBatch++;
          else {
            perRender.severalBatches++;
            if (!oneSnapshot(all.local) || !oneSnapshot(all.remote)) perRender.mixedAcrossBatches++;
          }
        }
      }),
    );
    const elapsed = performance.now() - t0;
    rendering = false;
    await Promise.all(rotators);
    resolver.close();

    expect(failures.map((e) => (e as { code?: string }).code ?? String(e))).toEqual([]);
    expect(violations.slice(0, 20)).toEqual([]);
    const rotations = local.done.reduce((a, b) => a + b, 0) + remote.done.reduce((a, b) => a + b, 0);
    // The secrets really changed during the run: every one of them rotated at least twice.
    expect(Math.min(...local.done, ...remote.done)).toBeGreaterThanOrEqual(2);
    const s = resolver.stats();
    const storeQueries = real.stats().queries - queriesBefore;
    console.info(
      `[reliability] load: ${started} renders by ${CALLERS} callers in ${Math.round(elapsed)} ms, 0 failed; ` +
        `${rotations} rotations meanwhile; resolver store queries ${s.storeQueries} (${batches()} batches; ` +
        `hits ${s.hits}, misses ${s.misses}, in-flight joins ${s.inflightJoins}, invalidations ${s.invalidations}); ` +
        `store round trips incl. rotations ${storeQueries}; renders from one batch ${perRender.oneBatch}, ` +
        `from several ${perRender.severalBatches} (of which mixed generations across batches ${perRender.mixedAcrossBatches})`,
    );
    // Batching: far fewer store queries than renders despite the rotations.
    expect(s.storeQueries).toBeLessThan(started);
  }, budget(90_000, 600_000));
});

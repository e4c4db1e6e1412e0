/**
 * Resolver figures: a cold render's one round trip against one query per reference, store
 * queries under 1,000 concurrent cold renders, warm cost per reference, and cache memory.
 *
 *   node --import tsx bench/resolve.ts            # embedded store (memory:)
 *   SECRETREF_BENCH_DATABASE_URL=postgres://… node --import tsx bench/resolve.ts
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { render } from '../src/render/index.js';
import { EntryCache } from '../src/resolve/entry-cache.js';
import { createResolver } from '../src/resolve/resolver.js';
import { keygen } from '../src/store/crypto-key.js';
import { openStore } from '../src/store/open.js';
import type { ResolvedSecret, Store } from '../src/store/types.js';
import { median, medians } from './measure.js';

export interface ResolveBenchOptions {
  /** Store URL; default SECRETREF_BENCH_DATABASE_URL, else an in-memory embedded store. */
  url?: string;
  /** Repetitions of each timed cold measurement (median reported). Default 20. */
  rounds?: number;
}

export interface ResolveBenchFigures {
  backend: 'embedded' | 'server';
  /** Median ms of one cold resolve of 60 distinct references. */
  cold60BatchMs: number;
  /** Store queries of that cold resolve (1). */
  cold60BatchQueries: number;
  /** Median ms of 60 single-name queries, one after another (a per-reference lookup). */
  cold60SingleSequentialMs: number;
  /** Median ms of 60 single-name queries issued at once. */
  cold60SingleParallelMs: number;
  /** cold60SingleSequentialMs / cold60BatchMs. */
  batchSpeedup: number;
  /** Store queries caused by 1,000 concurrent cold renders of one 20-reference definition. */
  concurrentColdRendersQueries: number;
  /** ms for those 1,000 renders. */
  concurrentColdRendersMs: number;
  /** Warm resolve cost per reference, in µs (20-reference resolves, no store round trip). */
  warmResolveMicrosPerRef: number;
  /** Warm render cost per reference, in µs (renderer included). */
  warmRenderMicrosPerRef: number;
  /** Store queries during the warm loops (0). */
  warmQueries: number;
  /** Heap bytes per cached entry with 100,000 entries (40-character values). */
  cacheBytesPerEntry: number;
  /** Entries held after inserting 150,000 into a cache bounded at 100,000. */
  cacheEntriesAfterOverflow: number;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap bytes per entry of the resolver's cache at 100,000 entries, and its bound. */
function cacheMemory(): { bytesPerEntry: number; afterOverflow: number } {
  const gc = gcFunction();
  const N = 100_000;
  const make = (i: number): ResolvedSecret => ({
    name: `service_${i}_api_key`,
    value: `sk_live_${i.toString(36).padStart(32, 'x')}`,
    version: 1,
    keyId: '0123456789abcdef',
    updatedAt: new Date(),
    expiresAt: null,
    allowedTools: null,
    allowedHosts: null,
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  const cache = new EntryCache({ maxEntries: N, ttlMs: 30_000, negativeTtlMs: 5_000, maxStaleMs: 0 });
  const t = cache.now();
  for (let i = 0; i < N; i++) {
    const s = make(i);
    cache.set(s.name, s, t);
  }
  gc();
  const bytesPerEntry = (process.memoryUsage().heapUsed - before) / N;
  for (let i = N; i < N * 1.5; i++) {
    const s = make(i);
    cache.set(s.name, s, t);
  }
  return { bytesPerEntry, afterOverflow: cache.size };
}

/** Runs every measurement and returns the figures. */
export async function benchResolve(opts: ResolveBenchOptions = {}): Promise<ResolveBenchFigures> {
  const rounds = opts.rounds ?? 20;
  const url = opts.url ?? process.env.SECRETREF_BENCH_DATABASE_URL ?? 'memory:';
  const store: Store = await openStore({ url, masterKey: keygen(), schema: `bench_${randomUUID().slice(0, 8)}` });
  try {
    // Keep the notification connection up so it does not count as a query mid-measurement.
    const unsubscribe = store.subscribe(() => undefined);
    await store.listening();
    const developerId = randomUUID();
    const secrets = store.scope(developerId);
    const names = Array.from({ length: 60 }, (_, i) => `bench_key_${i}`);
    for (const name of names) await secrets.create({ name, value: `value-${name}-${randomUUID()}` });

    const resolver = createResolver(store, { developerId });
    const batch: number[] = [];
    let batchQueries = 0;
    for (let i = 0; i < rounds; i++) {
      resolver.invalidate();
      const q = store.stats().queries;
      batch.push(await timed(() => resolver.resolve({ names })));
      batchQueries = store.stats().queries - q;
    }
    const sequential: number[] = [];
    const parallel: number[] = [];
    for (let i = 0; i < rounds; i++) {
      sequential.push(
        await timed(async () => {
          for (const n of names) await secrets.resolveDetailed([n]);
        }),
      );
      parallel.push(await timed(() => Promise.all(names.map((n) => secrets.resolveDetailed([n])))));
    }

    // 1,000 concurrent cold renders of one definition with 20 references.
    const twenty = names.slice(0, 20);
    const definition = {
      name: 'bench_tool',
      headers: Object.fromEntries(twenty.map((n) => [n, `Bearer $secrets.${n}`])),
    };
    resolver.invalidate();
    const q0 = store.stats().queries;
    const concurrentMs = await timed(() => Promise.all(Array.from({ length: 1000 }, () => render(definition, { resolver }))));
    const concurrentQueries = store.stats().queries - q0;

    // Warm: everything cached.
    const q1 = store.stats().queries;
    await resolver.resolve({ names: twenty });
    // tinybench medians: one descheduled sample on a shared machine must not move the figure.
    const warm = await medians(
      {
        resolve: () => resolver.resolve({ names: twenty }),
        render: () => render(definition, { resolver }),
      },
      { time: 1000, iterations: 1000 },
    );
    const warmQueries = store.stats().queries - q1;
    resolver.close();
    unsubscribe();

    const memory = cacheMemory();
    const cold60BatchMs = median(batch);
    const cold60SingleSequentialMs = median(sequential);
    return {
      backend: store.backend,
      cold60BatchMs,
      cold60BatchQueries: batchQueries,
      cold60SingleSequentialMs,
      cold60SingleParallelMs: median(parallel),
      batchSpeedup: cold60SingleSequentialMs / cold60BatchMs,
      concurrentColdRendersQueries: concurrentQueries,
      concurrentColdRendersMs: concurrentMs,
      warmResolveMicrosPerRef: ((warm.resolve?.medianMs ?? Number.NaN) * 1000) / twenty.length,
      warmRenderMicrosPerRef: ((warm.render?.medianMs ?? Number.NaN) * 1000) / twenty.length,
      warmQueries,
      cacheBytesPerEntry: memory.bytesPerEntry,
      cacheEntriesAfterOverflow: memory.afterOverflow,
    };
  } finally {
    await store.close();
  }
}

function printTable(f: ResolveBenchFigures): void {
  const rows: [string, string][] = [
    ['backend', f.backend],
    ['cold resolve, 60 refs (1 round trip)', `${f.cold60BatchMs.toFixed(2)} ms, ${f.cold60BatchQueries} query`],
    ['60 single-name queries, sequential', `${f.cold60SingleSequentialMs.toFixed(2)} ms`],
    ['60 single-name queries, parallel', `${f.cold60SingleParallelMs.toFixed(2)} ms`],
    ['batch speed-up vs sequential', `${f.batchSpeedup.toFixed(1)}×`],
    ['1,000 concurrent cold renders (20 refs)', `${f.concurrentColdRendersQueries} store query, ${f.concurrentColdRendersMs.toFixed(1)} ms`],
    ['warm resolve per reference', `${f.warmResolveMicrosPerRef.toFixed(3)} µs (target < 5 µs)`],
    ['warm render per reference', `${f.warmRenderMicrosPerRef.toFixed(3)} µs`],
    ['store queries while warm', String(f.warmQueries)],
    ['cache memory at 100,000 entries', `${Math.round(f.cacheBytesPerEntry)} bytes/entry`],
    ['entries after 150,000 inserts (max 100,000)', String(f.cacheEntriesAfterOverflow)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await benchResolve());
}

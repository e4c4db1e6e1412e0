/**
 * Single-flight batching: names asked for in the same tick go to the store in one query, and a
 * name already being loaded is joined rather than fetched again. A batch opens on the first cold
 * name and is sent from a microtask, after every synchronous caller of this tick has added its
 * names; until the answer arrives every name of it is "in flight" and later callers join it.
 */
import { SecretrefError } from '../errors.js';
import type { ResolvedSecret } from '../store/types.js';

/** One store query (or a few, when the names exceed one query's limit) and its waiters. */
export interface Batch {
  readonly names: Set<string>;
  /** Settles with what the store returned for `names` (absent names are absent). */
  readonly promise: Promise<ReadonlyMap<string, ResolvedSecret>>;
  /**
   * Names written while the batch was in flight: the answer may predate the write, so it goes to
   * the callers that already waited but not into the cache. `true`: every name (a reset).
   */
  dropped: Set<string> | true;
}

interface MutableBatch extends Batch {
  resolve(result: ReadonlyMap<string, ResolvedSecret>): void;
  reject(error: unknown): void;
  settled: boolean;
}

export interface BatchLoaderOptions {
  /** One store round trip for these names. */
  load(names: string[]): Promise<Map<string, ResolvedSecret>>;
  /** Called once per successful batch, before its callers resume (to fill the cache). */
  onLoaded(batch: Batch, result: ReadonlyMap<string, ResolvedSecret>): void;
  /** Names per store query (the store's limit); a larger batch becomes several queries. */
  maxNamesPerQuery: number;
  /** A batch not answered within this time fails with STORE_UNAVAILABLE. */
  timeoutMs: number;
}

export class BatchLoader {
  readonly #opts: BatchLoaderOptions;
  #open: MutableBatch | undefined;
  readonly #inflight = new Map<string, MutableBatch>();

  constructor(opts: BatchLoaderOptions) {
    this.#opts = opts;
  }

  /** The batch `name` is being loaded in, if any. */
  pending(name: string): Batch | undefined {
    return this.#inflight.get(name);
  }

  /** Adds `name` to this tick's batch (opening it if needed) and returns that batch. */
  add(name: string): Batch {
    let batch = this.#open;
    if (batch === undefined) {
      batch = newBatch();
      this.#open = batch;
      const b = batch;
      queueMicrotask(() => void this.#flush(b));
    }
    batch.names.add(name);
    this.#inflight.set(name, batch);
    return batch;
  }

  /** These names changed: later callers must not join loads that began before the change. */
  forget(names: Iterable<string>): void {
    for (const n of names) {
      const b = this.#inflight.get(n);
      if (b === undefined) continue;
      this.#inflight.delete(n);
      if (b.dropped !== true) b.dropped.add(n);
    }
  }

  /** Anything may have changed. */
  forgetAll(): void {
    for (const b of this.#inflight.values()) b.dropped = true;
    this.#inflight.clear();
  }

  async #flush(batch: MutableBatch): Promise<void> {
    if (this.#open === batch) this.#open = undefined;
    const names = [...batch.names];
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += this.#opts.maxNamesPerQuery) {
      chunks.push(names.slice(i, i + this.#opts.maxNamesPerQuery));
    }
    const timer = setTimeout(() => {
      this.#fail(
        batch,
        new SecretrefError(
          'STORE_UNAVAILABLE',
          `The secret store did not answer within ${this.#opts.timeoutMs} ms; check that the database is reachable.`,
        ),
      );
    }, this.#opts.timeoutMs);
    timer.unref?.();
    try {
      const maps = await Promise.all(chunks.map((c) => this.#opts.load(c)));
      if (batch.settled) return; // timed out: the late answer is not trusted with the cache either
      const result = maps.length === 1 ? (maps[0] as Map<string, ResolvedSecret>) : new Map(maps.flatMap((m) => [...m]));
      this.#release(batch);
      batch.settled = true;
      this.#opts.onLoaded(batch, result);
      batch.resolve(result);
    } catch (e) {
      this.#fail(batch, e);
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(batch: MutableBatch, error: unknown): void {
    if (batch.settled) return;
    batch.settled = true;
    this.#release(batch);
    batch.reject(error);
  }

  #release(batch: MutableBatch): void {
    for (const n of batch.names) if (this.#inflight.get(n) === batch) this.#inflight.delete(n);
  }
}

function newBatch(): MutableBatch {
  let resolve!: (r: ReadonlyMap<string, ResolvedSecret>) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<ReadonlyMap<string, ResolvedSecret>>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every batch has at least one waiter; this only keeps a waiter-less failure from crashing.
  promise.catch(() => undefined);
  return { names: new Set(), promise, dropped: new Set(), resolve, reject, settled: false };
}

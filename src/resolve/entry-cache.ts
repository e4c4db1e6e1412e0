/**
 * The resolver's bounded cache: lru-cache keyed by concrete secret name, holding what the store
 * said (a secret, or "absent"). lru-cache's TTL is the *retention* (fresh window + maxStaleMs);
 * freshness is tracked per entry on the same clock, so an entry past its TTL is never served while
 * the store answers, yet stays available as a stale fallback when it does not.
 */
import { LRUCache } from 'lru-cache';
import type { ResolvedSecret } from '../store/types.js';

/** A monotonic millisecond clock (lru-cache's `perf`). */
export interface Clock {
  now(): number;
}

/** What the cache knows about one concrete name. */
export interface CacheEntry {
  /** `null`: the store said the name does not exist (a negative entry). */
  secret: ResolvedSecret | null;
  /** Cache-clock time until which the entry is used without asking the store. */
  freshUntil: number;
  /** Cache-clock time the store said it. */
  loadedAt: number;
}

/**
 * How far cached entries are trusted right now: entries loaded at or after `from` for their whole
 * fresh window; older ones, or all when `from` is null (change notifications not verified), for
 * `capMs` after they were loaded.
 */
export interface Trust {
  from: number | null;
  capMs: number;
}

export interface EntryCacheOptions {
  maxEntries: number;
  ttlMs: number;
  negativeTtlMs: number;
  maxStaleMs: number;
  /** Injected clock (tests); default `performance`. */
  clock?: Clock;
}

export class EntryCache {
  readonly #lru: LRUCache<string, CacheEntry>;
  readonly #opts: EntryCacheOptions;
  readonly #clock: Clock;

  constructor(opts: EntryCacheOptions) {
    this.#opts = opts;
    const injected = opts.clock;
    // lru-cache reads a start time of 0 as "no TTL" (the entry would never expire), and an
    // injected clock may well start at 0: shift it by one.
    this.#clock = injected ? { now: () => injected.now() + 1 } : performance;
    this.#lru = new LRUCache<string, CacheEntry>({
      max: opts.maxEntries,
      ttl: Math.max(1, opts.ttlMs + opts.maxStaleMs),
      perf: this.#clock,
      // The default debounces now() behind a real timer, which an injected clock cannot advance.
      ...(injected ? { ttlResolution: 0 } : {}),
    });
  }

  /** Current cache-clock time. */
  now(): number {
    return this.#clock.now();
  }

  get size(): number {
    return this.#lru.size;
  }

  /** The entry if it is fresh at `t` (and, with `trust`, trusted that long). */
  fresh(name: string, t: number, trust?: Trust): CacheEntry | undefined {
    const e = this.#lru.get(name);
    if (e === undefined || e.freshUntil <= t) return undefined;
    if (trust === undefined || (trust.from !== null && e.loadedAt >= trust.from)) return e;
    return e.loadedAt + trust.capMs > t ? e : undefined;
  }

  /** The entry if it may be served while the store is unavailable (fresh, or stale ≤ maxStaleMs). */
  fallback(name: string, t: number): CacheEntry | undefined {
    const e = this.#lru.get(name);
    return e !== undefined && t <= e.freshUntil + this.#opts.maxStaleMs ? e : undefined;
  }

  /** Records what the store said at `t`. */
  set(name: string, secret: ResolvedSecret | null, t: number): void {
    const fresh = secret === null ? this.#opts.negativeTtlMs : this.#opts.ttlMs;
    const retain = fresh + this.#opts.maxStaleMs;
    if (retain <= 0) return; // caching disabled: single-flight only
    this.#lru.set(name, { secret, freshUntil: t + fresh, loadedAt: t }, { ttl: retain });
  }

  delete(names: Iterable<string>): void {
    for (const n of names) this.#lru.delete(n);
  }

  /**
   * Notifications may have been lost: nothing may be served fresh any more. With a stale budget
   * the entries stay as outage fallback for maxStaleMs from now; without one they go.
   */
  distrustAll(t: number): void {
    if (this.#opts.maxStaleMs <= 0) {
      this.#lru.clear();
      return;
    }
    for (const e of this.#lru.values()) if (e.freshUntil > t) e.freshUntil = t;
  }

  clear(): void {
    this.#lru.clear();
  }
}

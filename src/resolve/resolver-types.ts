/**
 * Public types of `createResolver`: its options, its counters, and the resolver itself.
 */
import type { Clock } from './entry-cache.js';
import type { ProviderTable } from './providers.js';
import type { InspectOutcome } from './lookup.js';
import type { NotificationState } from '../store/types.js';
import type { ResolveRequest, SecretSource } from './types.js';

/** Options of {@link Resolver}'s factory, `createResolver(store, options)`. */
export interface ResolverOptions {
  /** Every lookup is confined to this developer. */
  developerId: string;
  /** How long a looked-up secret is used without asking the store again. Default 30 s. */
  ttlMs?: number;
  /** Bound on cached names (secrets and known-absent names together). Default 10,000. */
  maxEntries?: number;
  /** When the store is unavailable, entries are served at most this long past their TTL. Default 0. */
  maxStaleMs?: number;
  /** How long "this name does not exist" is remembered (a create of the name drops it at once). Default 5 s. */
  negativeTtlMs?: number;
  /**
   * `'prod'`: `secrets.NAME` uses `prod_NAME` when it exists, else `NAME`. Must itself follow the
   * name rule (letters, digits, `_`, starting with a letter).
   */
  environment?: string;
  /** A store query not answered within this time fails with STORE_UNAVAILABLE. Default 10 s. */
  timeoutMs?: number;
  /** Wall clock (epoch ms) for expiry checks. Default `Date.now`. */
  now?: () => number;
  /**
   * Monotonic clock (ms) of the cache TTLs, lru-cache's `perf`. Default `performance`, or `now`
   * when only `now` is given, so one fake clock drives both in tests.
   */
  perf?: Clock;
  /** Additions to the provider table of `providerKey`. */
  providers?: ProviderTable;
}

/**
 * Counters of one resolver. Lookups count per concrete name (with an environment, `stripe_key`
 * may look up `prod_stripe_key` and `stripe_key`). Never a value, never a name.
 */
export interface ResolverStats {
  /** Names answered from the fresh cache. */
  hits: number;
  /** Names that started a store load. */
  misses: number;
  /** Names that joined a load already in flight. */
  inflightJoins: number;
  /** Round trips the resolver asked of the store (resolution queries and suggestion pages). */
  storeQueries: number;
  /** Names served past their TTL because the store was unavailable. */
  staleServed: number;
  /** Invalidations applied: change events for this developer, resets, `invalidate()` calls. */
  invalidations: number;
  /** Names currently cached. */
  entries: number;
  /** Whether changes made elsewhere reach the store (`Store.notifications()`; `local` when it cannot say). */
  notifications: NotificationState;
  /**
   * How long a cached value is used without asking the store: `ttlMs` while notifications are
   * `local` or `verified`, otherwise at most INTERNAL_LIMITS.untrustedCacheMs (1 s).
   */
  cacheBoundMs: number;
}

/** Options of {@link Resolver.providerKey}. */
export interface ProviderKeyOptions {
  /** The tool the key is used by (checked against the secret's allowedTools). */
  tool?: string;
  /** Hosts the key is sent to (checked against the secret's allowedHosts). */
  hosts?: ReadonlySet<string>;
}

/** A cached, batching {@link SecretSource} over a store, for one developer. */
export interface Resolver extends SecretSource {
  readonly developerId: string;
  readonly environment: string | undefined;
  /** Counters (no values). */
  stats(): ResolverStats;
  /**
   * The value of the API key for a provider or model (`'gpt-4o'` → `OPENAI_API_KEY`), through the
   * cache. Rejects SECRET_NOT_FOUND (naming the secret) when it is not stored, INVALID_INPUT for an
   * unknown model, SECRET_EXPIRED / PERMISSION_DENIED like a render.
   */
  providerKey(modelOrProvider: string, opts?: ProviderKeyOptions): Promise<string>;
  /**
   * What `resolve(request)` would find and refuse, from store metadata only: no value is
   * decrypted, nothing is audited, the cache is not touched (lint's store checks).
   */
  inspect(request: ResolveRequest): Promise<InspectOutcome>;
  /** Drops these names (and their environment variants) from the cache, or everything. */
  invalidate(names?: Iterable<string>): void;
  /** Stops listening to the store and empties the cache; later resolves reject. Idempotent. */
  close(): void;
}

/**
 * `createResolver`: the renderer's SecretSource over a store — one query per batch of cold names,
 * shared in-flight loads, a bounded TTL cache invalidated by the store's change events, stale
 * serving within a budget when the store is down, and the expiry/policy checks of each use.
 */
import { SecretrefError, type Problem } from '../errors.js';
import { INTERNAL_LIMITS, LIMITS } from '../limits.js';
import type { ResolvedSecret, ScopedStore, Store, StoreEvent } from '../store/types.js';
import { nameProblem } from '../syntax/names.js';
import { BatchLoader, type Batch } from './batch-loader.js';
import { EntryCache, type Trust } from './entry-cache.js';
import { usageProblem } from '../policy/usage.js';
import { compileProviderTable, lookupProviderSecret } from './providers.js';
import type { ProviderKeyOptions, Resolver, ResolverOptions, ResolverStats } from './resolver-types.js';
import { candidates as candidatesOf, environmentProblem, inspect as inspectRequest, missingWhere, overlayPrefix, suggestFrom, type InspectOutcome } from './lookup.js';
import type { Destination, ResolveOutcome, ResolveRequest, ResolvedEntry } from './types.js';

/** Defaults of {@link ResolverOptions}. */
export const RESOLVER_DEFAULTS = {
  ttlMs: 30_000,
  maxEntries: 10_000,
  maxStaleMs: 0,
  negativeTtlMs: 5_000,
  timeoutMs: 10_000,
} as const;

/** What one resolve is waiting for, per concrete name. */
type Lookup = { kind: 'known'; secret: ResolvedSecret | null } | { kind: 'loading'; batch: Batch };

/**
 * A resolver for one developer over `store`: cached, batched, invalidated by the store's change
 * events. Call `close()` when done (it unsubscribes from the store).
 */
export function createResolver(store: Store, options: ResolverOptions): Resolver {
  const opts = checkOptions(options);
  const scoped: ScopedStore = store.scope(options.developerId);
  const developerId = scoped.developerId;
  const environment = options.environment;
  const prefix = overlayPrefix(environment);
  const wallNow = options.now ?? Date.now;
  const providers = compileProviderTable(options.providers);
  const counters = { hits: 0, misses: 0, inflightJoins: 0, storeQueries: 0, staleServed: 0, invalidations: 0 };

  const perf = options.perf ?? (options.now ? { now: options.now } : undefined);
  const cache = new EntryCache({ ...opts, ...(perf ? { clock: perf } : {}) });
  const loader = new BatchLoader({
    maxNamesPerQuery: LIMITS.maxReferences,
    timeoutMs: opts.timeoutMs,
    load: (names) => {
      counters.storeQueries++;
      return scoped.resolveDetailed(names);
    },
    onLoaded: (batch, result) => {
      const t = cache.now();
      for (const n of batch.names) {
        if (batch.dropped === true || batch.dropped.has(n)) continue;
        cache.set(n, result.get(n) ?? null, t);
      }
    },
  });

  /** The names plus their environment variants (`stripe_key` → also `prod_stripe_key`). */
  const withVariants = (names: Iterable<string>): string[] => {
    const out = [...names];
    if (prefix !== undefined) for (const n of [...out]) out.push(prefix + n);
    return out;
  };

  let closed = false;
  const onEvent = (event: StoreEvent): void => {
    if (event.type === 'reset') {
      counters.invalidations++;
      cache.distrustAll(cache.now());
      loader.forgetAll();
    } else if (event.developerId.toLowerCase() === developerId.toLowerCase()) {
      counters.invalidations++;
      const names = withVariants(event.names);
      cache.delete(names);
      loader.forget(names);
    }
  };
  const unsubscribe = store.subscribe(onEvent);

  // Whether changes made elsewhere reach us (the store's probe): while they do, entries loaded
  // since then are trusted for their TTL; otherwise, and for entries from before, for
  // INTERNAL_LIMITS.untrustedCacheMs only, so a rotated value is never served stale for a TTL.
  let trustedFrom: number | null = null;
  const trust = (t: number): Trust => {
    const state = store.notifications?.().state ?? 'local';
    if (state === 'local' || state === 'verified') trustedFrom ??= t;
    else trustedFrom = null;
    return { from: trustedFrom, capMs: INTERNAL_LIMITS.untrustedCacheMs };
  };

  const candidates = (requested: string): readonly string[] => candidatesOf(requested, prefix);

  function resolve(request: ResolveRequest): Promise<ResolveOutcome> {
    if (closed) return Promise.reject(closedError());
    const requested = [...new Set(request.names)];
    const bad: Problem[] = [];
    for (const n of requested) {
      const why = typeof n === 'string' ? nameProblem(n) : 'a secret name must be a string';
      if (why !== undefined) bad.push({ code: 'INVALID_NAME', name: String(n), message: `Invalid secret name: ${why}.` });
    }
    if (bad.length > 0) return Promise.reject(SecretrefError.fromProblems(bad));

    // Synchronous up to here, so every caller of this tick joins the same batch.
    const t = cache.now();
    const trusted = trust(t);
    const lookups = new Map<string, Lookup>();
    const batches = new Set<Batch>();
    for (const name of requested) {
      for (const c of candidates(name)) {
        let l = lookups.get(c);
        if (l === undefined) {
          const fresh = cache.fresh(c, t, trusted);
          if (fresh !== undefined) {
            counters.hits++;
            l = { kind: 'known', secret: fresh.secret };
          } else {
            let batch = loader.pending(c);
            if (batch !== undefined) counters.inflightJoins++;
            else {
              counters.misses++;
              batch = loader.add(c);
            }
            batches.add(batch);
            l = { kind: 'loading', batch };
          }
          lookups.set(c, l);
        }
        // A found overlay settles the name; the fallback need not be looked up.
        if (l.kind === 'known' && l.secret !== null) break;
      }
    }
    if (batches.size === 0) {
      try {
        return Promise.resolve(outcome(requested, request, lookups, new Map()));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    return settle(requested, request, lookups, batches);
  }

  async function settle(
    requested: readonly string[],
    request: ResolveRequest,
    lookups: Map<string, Lookup>,
    batches: Set<Batch>,
  ): Promise<ResolveOutcome> {
    const results = new Map<Batch, ReadonlyMap<string, ResolvedSecret> | { error: unknown }>();
    await Promise.all(
      [...batches].map((b) =>
        b.promise.then(
          (r) => void results.set(b, r),
          (error: unknown) => void results.set(b, { error }),
        ),
      ),
    );
    return outcome(requested, request, lookups, results);
  }

  function outcome(
    requested: readonly string[],
    request: ResolveRequest,
    lookups: Map<string, Lookup>,
    results: Map<Batch, ReadonlyMap<string, ResolvedSecret> | { error: unknown }>,
  ): ResolveOutcome {
    const t = cache.now();
    const staleCounted = new Set<string>();
    const secretOf = (c: string): ResolvedSecret | null => {
      const l = lookups.get(c);
      if (l === undefined) throw new Error(`internal: ${c} was not looked up`);
      if (l.kind === 'known') return l.secret;
      const r = results.get(l.batch);
      if (r === undefined) throw new Error('internal: batch not settled');
      if (!(r instanceof Map)) {
        const error = (r as { error: unknown }).error;
        if (!(error instanceof SecretrefError) || error.code !== 'STORE_UNAVAILABLE') throw error;
        // The store is down: an entry within its stale budget may stand in; otherwise the whole
        // resolve fails — never a partial render.
        const e = cache.fallback(c, t);
        if (e === undefined) throw error;
        if (e.freshUntil <= t && !staleCounted.has(c)) {
          staleCounted.add(c);
          counters.staleServed++;
        }
        return e.secret;
      }
      return r.get(c) ?? null;
    };

    const nowMs = wallNow();
    const values = new Map<string, ResolvedEntry>();
    const missing: string[] = [];
    const problems: Problem[] = [];
    const fallbacks: string[] = [];
    for (const name of requested) {
      let secret: ResolvedSecret | null = null;
      for (const c of candidates(name)) {
        secret = secretOf(c);
        if (secret !== null) break;
      }
      if (secret === null) {
        missing.push(name);
        continue;
      }
      if (prefix !== undefined && secret.name === name) fallbacks.push(name);
      const problem = usageProblem(secret, name, nowMs, request.destinations?.get(name));
      if (problem !== undefined) {
        problems.push(problem);
        continue;
      }
      values.set(name, {
        requested: name,
        name: secret.name,
        value: secret.value,
        version: secret.version,
        keyId: secret.keyId,
        updatedAt: secret.updatedAt,
        expiresAt: secret.expiresAt,
      });
    }
    return prefix === undefined ? { values, missing, problems } : { values, missing, problems, fallbacks };
  }

  async function suggest(names: readonly string[]): Promise<Map<string, string[]>> {
    if (closed) throw closedError();
    try {
      counters.storeQueries++;
      return await suggestFrom(scoped, names, prefix);
    } catch (e) {
      // Suggestions decorate an error report; an unreachable store must not replace that report.
      if (e instanceof SecretrefError && e.code === 'STORE_UNAVAILABLE') return new Map(names.map((n) => [n, []]));
      throw e;
    }
  }

  async function inspect(request: ResolveRequest): Promise<InspectOutcome> {
    if (closed) throw closedError();
    counters.storeQueries++;
    return inspectRequest(scoped, request, { environment, nowMs: wallNow() });
  }

  async function providerKey(modelOrProvider: string, keyOpts: ProviderKeyOptions = {}): Promise<string> {
    const name = lookupProviderSecret(modelOrProvider, providers);
    const tool = keyOpts.tool === undefined ? {} : { tool: keyOpts.tool };
    const hosts = keyOpts.hosts === undefined ? [] : [...keyOpts.hosts];
    const at: Destination[] = hosts.length === 0 ? [tool] : hosts.map((host) => ({ ...tool, host }));
    const out = await resolve({ names: [name], destinations: new Map([[name, at]]) });
    const entry = out.values.get(name);
    if (entry !== undefined) return entry.value;
    if (out.problems.length > 0) throw SecretrefError.fromProblems(out.problems);
    throw new SecretrefError('SECRET_NOT_FOUND', `No secret ${missingWhere(name, prefix)} for this developer; create it with \`secretref secrets create ${name}\`.`, {
      name,
    });
  }

  return {
    developerId,
    environment,
    resolve,
    suggest,
    inspect,
    providerKey,
    stats(): ResolverStats {
      const notifications = store.notifications?.().state ?? 'local';
      const trusted = notifications === 'local' || notifications === 'verified';
      return { ...counters, entries: cache.size, notifications, cacheBoundMs: trusted ? opts.ttlMs : Math.min(opts.ttlMs, INTERNAL_LIMITS.untrustedCacheMs) };
    },
    invalidate(names?: Iterable<string>): void {
      counters.invalidations++;
      if (names === undefined) {
        cache.clear();
        loader.forgetAll();
      } else {
        const list = withVariants(names);
        cache.delete(list);
        loader.forget(list);
      }
    },
    close(): void {
      if (closed) return;
      closed = true;
      unsubscribe();
      cache.clear();
      loader.forgetAll();
    },
  };
}

function closedError(): SecretrefError {
  return new SecretrefError('INVALID_INPUT', 'This resolver was closed; create a new one with createResolver.');
}

interface CheckedOptions {
  ttlMs: number;
  maxEntries: number;
  maxStaleMs: number;
  negativeTtlMs: number;
  timeoutMs: number;
}

function checkOptions(o: ResolverOptions): CheckedOptions {
  const problems: Problem[] = [];
  const num = (key: keyof CheckedOptions, min: number): number => {
    const v = o[key] ?? RESOLVER_DEFAULTS[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      problems.push({ code: 'INVALID_INPUT', path: `/${key}`, message: `${key} must be an integer ≥ ${min}.` });
    }
    return v;
  };
  const checked = {
    ttlMs: num('ttlMs', 0),
    maxEntries: num('maxEntries', 1),
    maxStaleMs: num('maxStaleMs', 0),
    negativeTtlMs: num('negativeTtlMs', 0),
    timeoutMs: num('timeoutMs', 1),
  };
  const env = environmentProblem(o.environment);
  if (env) problems.push(env);
  if (problems.length > 0) throw SecretrefError.fromProblems(problems);
  return checked;
}

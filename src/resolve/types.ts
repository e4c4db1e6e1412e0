/**
 * The contract between the renderer and a source of secret values. `createResolver` (cached,
 * batched, over a store) implements it; so does a plain map of values in tests.
 */
import type { Problem } from '../errors.js';
import type { Destination } from '../policy/destination.js';

export type { Destination };

/** What a render needs: every distinct name, and where each lands. */
export interface ResolveRequest {
  /** Distinct names as written in the definition (before any environment overlay). */
  names: readonly string[];
  /**
   * Where each name's value goes (the tool and host of each reference, see `src/policy/destination.ts`),
   * for usage policies. A name without an entry goes somewhere that cannot be told: a secret with
   * `allowedTools` or `allowedHosts` then fails closed.
   */
  destinations?: ReadonlyMap<string, readonly Destination[]>;
}

/** One resolved reference. Never printed: `value` is the secret. */
export interface ResolvedEntry {
  /** The name as written. */
  requested: string;
  /** The concrete secret used (e.g. `prod_stripe_key` for `stripe_key` in environment `prod`). */
  name: string;
  value: string;
  version: number;
  keyId: string;
  updatedAt: Date;
  expiresAt: Date | null;
}

export interface ResolveOutcome {
  /** Keyed by the requested name. */
  values: Map<string, ResolvedEntry>;
  /** Requested names that exist nowhere (the renderer decides whether that is an error). */
  missing: string[];
  /** SECRET_EXPIRED / PERMISSION_DENIED for names that exist but may not be used here (`name` set). */
  problems: Problem[];
  /**
   * With an environment: requested names that have no overlay (`prod_NAME`) and were found under
   * the unprefixed name instead (also when that secret then had a usage problem).
   */
  fallbacks?: string[];
}

/** A source of secret values for `render`. */
export interface SecretSource {
  /** Resolves every name of one render in one batch. Rejects with STORE_UNAVAILABLE, never partially. */
  resolve(request: ResolveRequest): Promise<ResolveOutcome>;
  /** Existing names close to `name` (case-insensitive equal first, then small edits); names only. */
  suggest(names: readonly string[]): Promise<Map<string, string[]>>;
}

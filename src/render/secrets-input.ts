/**
 * Reading values from what the caller hands us: a Map, or a record whose own properties only
 * are seen (a secret named `constructor` or `__proto__` is a secret, not a prototype member).
 */
import type { SecretsInput } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

export interface Lookup {
  /** The value, or undefined when absent; may be of any type when the caller broke the contract. */
  get(name: string): unknown;
  has(name: string): boolean;
  /** Every name present (for "did you mean" suggestions). */
  names(): Iterable<string>;
}

export function lookupOf(secrets: SecretsInput): Lookup {
  if (secrets instanceof Map) {
    const m = secrets as ReadonlyMap<string, unknown>;
    return { get: (n) => m.get(n), has: (n) => m.has(n), names: () => m.keys() };
  }
  const r = secrets as Readonly<Record<string, unknown>>;
  return {
    get: (n) => (hasOwn.call(r, n) ? r[n] : undefined),
    has: (n) => hasOwn.call(r, n),
    names: () => Object.keys(r),
  };
}

/** The concrete name `name` resolves to in `environment` (`prod_NAME` when it exists, else `NAME`). */
export function concreteName(lookup: Lookup, name: string, environment: string | undefined): string | undefined {
  if (environment) {
    const overlay = `${environment}_${name}`;
    if (lookup.has(overlay)) return overlay;
  }
  return lookup.has(name) ? name : undefined;
}

/**
 * Reading values from what the caller hands us: a Map, or a record whose own properties only
 * are seen (a secret named `constructor` or `toString` is a secret, not a prototype member).
 * Plain functions, no per-render closures: this runs on every render.
 */
import type { SecretsInput } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** The value under `name`, or undefined; of any type when the caller broke the contract. */
export function readSecret(secrets: SecretsInput, isMap: boolean, name: string): unknown {
  if (isMap) return (secrets as ReadonlyMap<string, unknown>).get(name);
  return hasOwn.call(secrets, name) ? (secrets as Readonly<Record<string, unknown>>)[name] : undefined;
}

/** Every name present (for "did you mean" suggestions; error path only). */
export function secretNames(secrets: SecretsInput): string[] {
  return secrets instanceof Map ? [...(secrets as ReadonlyMap<string, unknown>).keys()] : Object.keys(secrets);
}

/** The concrete name `name` resolves to in `environment`: `prod_NAME` when it exists, else `NAME`. */
export function concreteName(secrets: SecretsInput, isMap: boolean, name: string, environment: string | undefined): string {
  if (environment) {
    const overlay = `${environment}_${name}`;
    if (readSecret(secrets, isMap, overlay) !== undefined) return overlay;
  }
  return name;
}

/**
 * How a reference name becomes a concrete secret, for the resolver and for lint alike: the
 * environment overlay (`prod_NAME`, then `NAME`), the usage decision (src/policy), and "did you
 * mean" from one listing of the developer's names. `inspect` answers a resolve request from
 * store metadata only — no value decrypted, nothing audited — so lint reports exactly what a
 * render would refuse.
 */
import { SecretrefError, type Problem } from '../errors.js';
import { INTERNAL_LIMITS, LIMITS } from '../limits.js';
import { usageProblem } from '../policy/usage.js';
import { STORE_LIMITS } from '../store/store-limits.js';
import type { ScopedStore, SecretInfo } from '../store/types.js';
import { NAME_PATTERN } from '../syntax/names.js';
import { suggestNames } from './suggest.js';
import type { ResolveRequest } from './types.js';


/** Why `environment` is not a valid environment name, as a problem; undefined when it is fine. */
export function environmentProblem(environment: unknown): Problem | undefined {
  if (environment === undefined || (typeof environment === 'string' && NAME_PATTERN.test(environment))) return undefined;
  return { code: 'INVALID_INPUT', path: '/environment', message: 'environment must start with a letter and contain only letters, digits and _ (e.g. "prod").' };
}

/** The prefix of an environment's overlay names (`prod_`), or undefined. */
export function overlayPrefix(environment: string | undefined): string | undefined {
  return environment === undefined ? undefined : `${environment}_`;
}

/** Concrete names to try for a requested one, best first. */
export function candidates(requested: string, prefix: string | undefined): readonly string[] {
  if (prefix === undefined) return [requested];
  const overlay = prefix + requested;
  // A prefixed name over the length limit cannot exist.
  return overlay.length <= LIMITS.maxNameLength ? [overlay, requested] : [requested];
}

/** "No secret "prod_x" or "x"" — how a missing name is spelled in messages. */
export function missingWhere(name: string, prefix: string | undefined): string {
  return prefix === undefined ? `"${name}"` : `"${prefix}${name}" or "${name}"`;
}

/** Existing names close to each missing one, from one bounded listing of the developer's names. */
export async function suggestFrom(scoped: ScopedStore, missing: readonly string[], prefix: string | undefined): Promise<Map<string, string[]>> {
  const existing: string[] = [];
  if (missing.length === 0) return new Map();
  // Only names an edit could reach (suggestNames: a length difference of at most 3), with the
  // environment prefix on top for the prefixed variants: the database leaves out the rest.
  const lengths = missing.map((n) => n.length);
  const window = { min: Math.max(1, Math.min(...lengths) - 3), max: Math.min(LIMITS.maxNameLength, Math.max(...lengths) + 3 + (prefix?.length ?? 0)) };
  for await (const name of scoped.listNames({ lengths: window })) existing.push(name);
  // With an environment, `stripe_kye` may be meant as `prod_stripe_key`: compare unprefixed too.
  const bare = prefix === undefined ? existing : existing.map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : n));
  const pool = [...new Set([...existing, ...bare])];
  return new Map(missing.map((n) => [n, suggestNames(n, pool)]));
}

/** What a resolve request would find, from metadata only. */
export interface InspectOutcome {
  /** The concrete secret each requested name resolves to (metadata, never a value). */
  found: Map<string, SecretInfo>;
  /** Requested names that exist nowhere. */
  missing: string[];
  /** SECRET_EXPIRED / PERMISSION_DENIED for names that exist but may not be used here (`name` set). */
  problems: Problem[];
}

export interface InspectOptions {
  environment?: string | undefined;
  /** Wall-clock epoch ms for expiry. */
  nowMs: number;
}

/** Answers `request` as `resolve` would, without values or audit: one `inspectMany` per 10,000 names. */
export async function inspect(scoped: ScopedStore, request: ResolveRequest, options: InspectOptions): Promise<InspectOutcome> {
  const bad = environmentProblem(options.environment);
  if (bad) throw new SecretrefError(bad.code, bad.message, { path: '/environment' });
  const prefix = overlayPrefix(options.environment);
  const requested = [...new Set(request.names)];
  const wanted = [...new Set(requested.flatMap((n) => candidates(n, prefix)))];
  const infos = new Map<string, SecretInfo>();
  const chunk = STORE_LIMITS.maxResolveNames;
  for (let i = 0; i < wanted.length; i += chunk) {
    for (const [k, v] of await scoped.inspectMany(wanted.slice(i, i + chunk))) infos.set(k, v);
  }
  const out: InspectOutcome = { found: new Map(), missing: [], problems: [] };
  for (const name of requested) {
    const info = candidates(name, prefix)
      .map((c) => infos.get(c))
      .find((x) => x !== undefined);
    if (!info) {
      out.missing.push(name);
      continue;
    }
    out.found.set(name, info);
    const problem = usageProblem(info, name, options.nowMs, request.destinations?.get(name));
    if (problem) out.problems.push(problem);
  }
  return out;
}

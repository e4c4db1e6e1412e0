/**
 * Rules that need the store: SECRET_NOT_FOUND (with "did you mean"), SECRET_EXPIRED,
 * SECRET_EXPIRING, PERMISSION_DENIED and, with an environment, ENVIRONMENT_OVERLAY.
 *
 * Cost per document: one `inspectMany` round trip for every distinct name and its environment
 * candidate (descriptions only: no value is decrypted, nothing is audited), plus one names
 * listing only when some name is missing. Expiry, tool and host policy are decided by the same
 * function the resolver uses (`policyProblem`), and hosts by the renderer's rule
 * (`hostsByName`), so lint reports exactly what a render would refuse.
 */
import { SecretrefError } from '../errors.js';
import { hostsByName } from '../render/hosts.js';
import { policyProblem } from '../resolve/policy.js';
import { suggestNames } from '../resolve/suggest.js';
import { LIMITS } from '../limits.js';
import { STORE_LIMITS } from '../store/store-limits.js';
import type { ScopedStore, SecretInfo, Store } from '../store/types.js';
import { NAME_PATTERN } from '../syntax/names.js';
import type { Reference } from '../syntax/reference.js';
import type { Diagnostic } from './diagnostic.js';
import type { LintContext } from './context.js';
import { DOCUMENT_START } from './diagnostic.js';
import type { Severity } from './rules.js';

/** The single-tenant developer id used when none is given (SPEC §6). */
export const DEFAULT_DEVELOPER_ID = '00000000-0000-0000-0000-000000000000';

const DAY_MS = 86_400_000;
/** Names fetched for suggestions at most (pages of 1000). */
const MAX_SUGGEST_NAMES = 10_000;

export interface StoreRuleOptions {
  store: Store | ScopedStore;
  developerId?: string;
  now: number;
  expiringWithinDays: number;
  environment?: string;
  tool?: string;
}

function scopeOf(o: StoreRuleOptions): ScopedStore {
  const s = o.store;
  return 'scope' in s ? s.scope(o.developerId ?? DEFAULT_DEVELOPER_ID) : s;
}

export async function storeDiagnostics(ctx: LintContext, o: StoreRuleOptions): Promise<Diagnostic[]> {
  const refs = ctx.doc.references;
  if (refs.length === 0) return [];
  if (o.environment !== undefined && (typeof o.environment !== 'string' || !NAME_PATTERN.test(o.environment))) {
    throw new SecretrefError('INVALID_INPUT', 'environment must start with a letter and contain only letters, digits and _ (e.g. "prod").', { path: '/environment' });
  }
  const scoped = scopeOf(o);
  const prefix = o.environment === undefined ? undefined : `${o.environment}_`;
  const candidates = (name: string): string[] => {
    const overlay = prefix === undefined ? undefined : prefix + name;
    return overlay !== undefined && overlay.length <= LIMITS.maxNameLength ? [overlay, name] : [name];
  };
  const wanted = new Set<string>();
  for (const r of refs) for (const c of candidates(r.name)) wanted.add(c);
  const infos = new Map<string, SecretInfo>();
  const all = [...wanted];
  // One round trip; a document past the store's per-call bound (10,000 names) takes a few.
  for (let i = 0; i < all.length; i += STORE_LIMITS.maxResolveNames) {
    for (const [k, v] of await scoped.inspectMany(all.slice(i, i + STORE_LIMITS.maxResolveNames))) infos.set(k, v);
  }

  const concrete = (name: string): SecretInfo | undefined => {
    for (const c of candidates(name)) {
      const info = infos.get(c);
      if (info) return info;
    }
    return undefined;
  };
  const missing = [...new Set(refs.filter((r) => !concrete(r.name)).map((r) => r.name))];
  const suggestions = missing.length > 0 ? await suggestFor(scoped, missing, prefix) : new Map<string, string[]>();

  const sitesByPath = ctx.sitesByPath;
  const hostCache = new Map<string, Set<string> | undefined>();
  const hostsOf = (r: Reference): Set<string> | undefined => {
    if (!hostCache.has(r.path)) {
      const site = sitesByPath.get(r.path);
      hostCache.set(r.path, site ? hostsByName(ctx.doc.value, [site]).get(r.name) : undefined);
    }
    return hostCache.get(r.path);
  };

  const out: Diagnostic[] = [];
  const push = (r: Reference, code: Diagnostic['code'], severity: Severity, message: string, suggestion?: string): void => {
    const d: Diagnostic = { code, severity, message, path: r.path, range: r.range ?? DOCUMENT_START, name: r.name };
    if (suggestion !== undefined) d.suggestion = suggestion;
    if (ctx.file !== undefined) d.file = ctx.file;
    out.push(d);
  };

  for (const r of refs) {
    const info = concrete(r.name);
    if (!info) {
      const near = suggestions.get(r.name) ?? [];
      const where = prefix === undefined ? `"${r.name}"` : `"${prefix}${r.name}" or "${r.name}"`;
      const mean = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
      const fix = r.optional ? 'its fallback will be used; create it if the fallback is not intended.' : `create it with \`secretref secrets create ${r.name}\` or fix the name.`;
      push(r, 'SECRET_NOT_FOUND', r.optional ? 'warning' : 'error', `No secret ${where} exists for this developer; ${fix}${mean}`, near[0]);
      continue;
    }
    if (prefix !== undefined) {
      const overlay = info.name !== r.name;
      push(
        r,
        'ENVIRONMENT_OVERLAY',
        'info',
        overlay
          ? `In environment "${o.environment}", secrets.${r.name} resolves to "${info.name}".`
          : `In environment "${o.environment}", secrets.${r.name} resolves to "${r.name}" (no "${prefix}${r.name}"); create "${prefix}${r.name}" to override it there.`,
      );
    }
    const tool = o.tool ?? ctx.toolName(pathKeys(ctx, r));
    const problem = policyProblem({ ...info, value: '' }, r.name, o.now, tool, hostsOf(r));
    if (problem) {
      push(r, problem.code === 'SECRET_EXPIRED' ? 'SECRET_EXPIRED' : 'PERMISSION_DENIED', 'error', problem.message);
      continue;
    }
    if (info.expiresAt !== null) {
      const left = info.expiresAt.getTime() - o.now;
      if (left <= o.expiringWithinDays * DAY_MS) {
        const days = Math.max(0, Math.ceil(left / DAY_MS));
        push(r, 'SECRET_EXPIRING', 'warning', `The secret "${info.name}" expires in ${days} day${days === 1 ? '' : 's'} (${info.expiresAt.toISOString()}); rotate it or extend its expiry.`);
      }
    }
  }
  return out;
}

function pathKeys(ctx: LintContext, r: Reference): readonly (string | number)[] {
  return ctx.sitesByPath.get(r.path)?.keys ?? [];
}

/** One names listing (paged, bounded) and "did you mean" for each missing name. */
async function suggestFor(scoped: ScopedStore, missing: string[], prefix: string | undefined): Promise<Map<string, string[]>> {
  const existing: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await scoped.list({ limit: STORE_LIMITS.maxListLimit, cursor });
    for (const item of page.items) existing.push(item.name);
    cursor = page.nextCursor;
  } while (cursor !== null && existing.length < MAX_SUGGEST_NAMES);
  // With an environment, `stripe_kye` may be meant as `prod_stripe_key`: compare unprefixed too.
  const bare = prefix === undefined ? existing : existing.map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : n));
  const pool = [...new Set([...existing, ...bare])];
  return new Map(missing.map((n) => [n, suggestNames(n, pool)]));
}

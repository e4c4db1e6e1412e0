/**
 * Rules that need the store: SECRET_NOT_FOUND (with "did you mean"), SECRET_EXPIRED,
 * SECRET_EXPIRING, PERMISSION_DENIED and, with an environment, ENVIRONMENT_OVERLAY.
 *
 * The document's references become the resolve request a render would send (names, and where
 * each value goes), answered by the resolver's own lookup in inspect mode (`resolve/lookup.ts`:
 * metadata only, no value decrypted, nothing audited). Lint turns the outcome into diagnostics,
 * placed at every reference of the name as render places its problems, so lint reports exactly
 * what a render would refuse.
 */
import { DEFAULT_DEVELOPER_ID } from '../store/defaults.js';
import { inspect, missingWhere, overlayPrefix, suggestFrom } from '../resolve/lookup.js';
import type { ScopedStore, Store } from '../store/types.js';
import type { Reference } from '../syntax/reference.js';
import type { Diagnostic } from './diagnostic.js';
import type { LintContext } from './context.js';
import type { LintCode, Severity } from './rules.js';

const DAY_MS = 86_400_000;

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
  const scoped = scopeOf(o);
  const names = [...new Set(refs.map((r) => r.name))];
  const destinations = ctx.destinations.byName(ctx.doc.sites, o.tool);
  const outcome = await inspect(scoped, { names, destinations }, { environment: o.environment, nowMs: o.now });
  const prefix = overlayPrefix(o.environment);
  const suggestions = outcome.missing.length > 0 ? await suggestFrom(scoped, outcome.missing, prefix) : new Map<string, string[]>();
  const refused = new Map(outcome.problems.map((p) => [p.name as string, p]));

  const out: Diagnostic[] = [];
  const push = (r: Reference, code: LintCode, severity: Severity, message: string, suggestion?: string): void => {
    const d = ctx.at(r.path, code, message, r.offset, severity);
    d.name = r.name;
    if (suggestion !== undefined) d.suggestion = suggestion;
    out.push(d);
  };

  for (const r of refs) {
    const info = outcome.found.get(r.name);
    if (!info) {
      const near = suggestions.get(r.name) ?? [];
      const mean = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
      const fix = r.optional ? 'its fallback will be used; create it if the fallback is not intended.' : `create it with \`secretref secrets create ${r.name}\` or fix the name.`;
      push(r, 'SECRET_NOT_FOUND', r.optional ? 'warning' : 'error', `No secret ${missingWhere(r.name, prefix)} exists for this developer; ${fix}${mean}`, near[0]);
      continue;
    }
    if (prefix !== undefined) {
      push(
        r,
        'ENVIRONMENT_OVERLAY',
        'info',
        info.name !== r.name
          ? `In environment "${o.environment}", secrets.${r.name} resolves to "${info.name}".`
          : `In environment "${o.environment}", secrets.${r.name} resolves to "${r.name}" (no "${prefix}${r.name}"); create "${prefix}${r.name}" to override it there.`,
      );
    }
    const problem = refused.get(r.name);
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

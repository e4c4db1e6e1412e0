/**
 * The one finish step of every render: evaluate the compiled plan against a resolution, collect
 * every problem (positioned by source offsets), and build the result — or the problems.
 */
import { SecretrefError, type Problem } from '../errors.js';
import type { Compiled } from './compile.js';
import type { Derived, Issue, RenderState } from './evaluate.js';
import { makeRedactor } from './redact.js';
import type { Resolution } from './resolution.js';
import type { PlanEntry, PlanStatus, Rendered, VarValue } from './types.js';

const NO_VARS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

export interface FinishOptions {
  vars?: Readonly<Record<string, VarValue>> | undefined;
  plan?: boolean | undefined;
}

/** What a reference problem makes of a plan entry. */
const PLAN_STATUS: Readonly<Partial<Record<Problem['code'], PlanStatus>>> = { SECRET_NOT_FOUND: 'missing', SECRET_EXPIRED: 'expired', PERMISSION_DENIED: 'denied' };

/** The rendered result, or every problem of the render. */
export function finish(compiled: Compiled, res: Resolution, options: FinishOptions): Rendered | Problem[] {
  const problems = res.problems.slice();
  const st: RenderState = { values: res.values, vars: checkVars(compiled, options.vars, problems), issues: undefined, derived: undefined };
  const value = compiled.root(st);
  if (st.issues) problems.push(...issueProblems(compiled, st.issues));
  if (problems.length > 0) {
    // A plan lists what cannot render instead of failing on it — unless something else is wrong.
    if (options.plan !== true || !problems.every((p) => p.name !== undefined && PLAN_STATUS[p.code] !== undefined)) return problems;
    return withCommon(compiled, res, { value: null, references: compiled.references, redact: makeRedactor(compiled.names, res.values, st.derived as Derived[] | undefined), plan: plan(compiled, res, problems) });
  }
  const out: Rendered = { value, references: compiled.references, redact: makeRedactor(compiled.names, res.values, st.derived as Derived[] | undefined) };
  if (options.plan === true) out.plan = plan(compiled, res, []);
  return withCommon(compiled, res, out);
}

/** Adds the compile warnings and the environment fallbacks. */
function withCommon(compiled: Compiled, res: Resolution, out: Rendered): Rendered {
  if (compiled.warnings.length === 0 && res.fallbacks === undefined) return out;
  if (compiled.warnings.length > 0) out.warnings = compiled.warnings.slice();
  if (res.fallbacks && res.fallbacks.length > 0) {
    const fell = new Set(res.fallbacks);
    out.fallbacks = compiled.references.filter((r) => fell.has(r.name)).map((r) => ({ reference: r.name, path: r.path, ...(r.range ? { range: r.range } : {}) }));
  }
  return out;
}

/** One error for the problems of a render of `compiled`. */
export function failure(compiled: Compiled, problems: readonly Problem[]): SecretrefError {
  return SecretrefError.fromProblems(problems, compiled.filename, compiled.lines);
}

/** Adds "did you mean" to every SECRET_NOT_FOUND (names only). */
export function withSuggestions(problems: readonly Problem[], suggest: (name: string) => readonly string[]): Problem[] {
  return problems.map((p) => {
    if (p.code !== 'SECRET_NOT_FOUND' || p.name === undefined || p.suggestion !== undefined) return p;
    const best = suggest(p.name)[0];
    return best === undefined ? p : { ...p, suggestion: best };
  });
}

function checkVars(compiled: Compiled, vars: Readonly<Record<string, VarValue>> | undefined, problems: Problem[]): Readonly<Record<string, unknown>> {
  if (vars === undefined) return NO_VARS;
  if (vars === null || typeof vars !== 'object') {
    problems.push({ code: 'INVALID_INPUT', message: 'vars must be a plain object of name → string, number, boolean or null.' });
    return NO_VARS;
  }
  for (const name of compiled.varNames) {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) continue;
    const v: unknown = vars[name];
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      problems.push({ code: 'INVALID_INPUT', message: `Variable "${name}" must be a string, number, boolean or null.`, name });
    }
  }
  return vars;
}

function issueProblems(compiled: Compiled, issues: readonly Issue[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const i of issues) {
    const key = `${i.code}\u0000${i.site}\u0000${i.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const site = compiled.sites[i.site];
    if (!site) continue;
    const p: Problem = { code: i.code, message: i.message, path: site.path };
    if (i.name !== undefined) p.name = i.name;
    if (site.offsets) {
      // The syntax layer widens some references (`$secrets.x` as a whole string includes its `$`).
      const ref = i.name === undefined ? undefined : site.compiled.refs.find((r) => r.name === i.name && r.end === i.end);
      p.offset = [site.offsets(ref ? ref.start : i.start), site.offsets(i.end)];
    }
    out.push(p);
  }
  return out;
}

function plan(compiled: Compiled, res: Resolution, problems: readonly Problem[]): PlanEntry[] {
  const index = new Map(compiled.names.map((n, i) => [n, i]));
  const problemOf = new Map<string, Problem>();
  for (const p of problems) if (p.name !== undefined && !problemOf.has(p.name)) problemOf.set(p.name, p);
  const fell = new Set(res.fallbacks ?? []);
  return compiled.references.map((r) => {
    const i = index.get(r.name) as number;
    const m = res.meta?.[i];
    const problem = problemOf.get(r.name);
    const present = res.values[i] !== undefined && problem === undefined;
    const e: PlanEntry = {
      reference: r.name,
      secret: m?.secret ?? (present ? (res.concrete?.[i] ?? r.name) : null),
      path: r.path,
      version: m?.version ?? null,
      updatedAt: m?.updatedAt ?? null,
      expiresAt: m?.expiresAt ?? null,
      keyId: m?.keyId ?? null,
      status: problem ? (PLAN_STATUS[problem.code] as PlanStatus) : present ? 'ok' : 'absent',
      fallback: fell.has(r.name),
    };
    if (problem) e.problem = { code: problem.code, message: problem.message };
    if (r.range) e.range = r.range;
    return e;
  });
}

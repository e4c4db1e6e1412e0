/**
 * Our evaluator over the IR of src/syntax/ir.ts. Each string site is turned, once, into a tree
 * of small closures; rendering calls them. Nothing here can reach a prototype, a global or a
 * general-purpose engine: names were resolved to indices into an array of values at compile
 * time, and variables are read as own properties only.
 *
 * A missing secret is not an error by itself: it evaluates to a `Missing` value that `??`, `||`,
 * `default` and tests accept. It becomes SECRET_NOT_FOUND only when it reaches the output.
 */
import { ENCODING_FILTERS } from '../syntax/builtins.js';
import type { Expr, Segment } from '../syntax/ir.js';
import { FILTER_FAILED, STRING_FILTERS, percentEncode } from './filters.js';

export type Scalar = string | number | boolean | null;

/** Where a missing value came from: a reference or a variable, at [start, end) of site `site`. */
export interface Hole {
  kind: 'secret' | 'var';
  name: string;
  site: number;
  start: number;
  end: number;
}

/** The value of a reference (or variable) that has none. Carried, not thrown. */
export class Missing {
  constructor(readonly holes: readonly Hole[]) {}
}

export type Val = Scalar | Missing;

/** A problem found while rendering, in site-local offsets; turned into a Problem later. */
export interface Issue {
  code: 'SECRET_NOT_FOUND' | 'UNKNOWN_VARIABLE' | 'INVALID_INPUT';
  message: string;
  site: number;
  start: number;
  end: number;
  name?: string;
}

/** A rendered output computed from secrets by more than insertion (filters, joins): redact it too. */
export interface Derived {
  text: string;
  name: string;
}

/** Everything one render reads and writes. */
export interface RenderState {
  /** Secret values by name index; undefined when absent. */
  readonly values: readonly (string | undefined)[];
  /** Caller variables (already checked to be scalars). */
  readonly vars: Readonly<Record<string, unknown>>;
  issues: Issue[] | undefined;
  derived: Derived[] | undefined;
}

export type Eval = (st: RenderState) => Val;
export type StringFn = (st: RenderState) => string;

/** What closures of one site need to know. */
export interface SiteEnv {
  site: number;
  nameIndex: ReadonlyMap<string, number>;
}

const hasOwn = Object.prototype.hasOwnProperty;

export function str(v: Scalar): string {
  return typeof v === 'string' ? v : v === null ? '' : String(v);
}

function truthy(v: Val): boolean {
  return !(v instanceof Missing) && Boolean(v);
}

function nullish(v: Val): v is null | Missing {
  return v === null || v instanceof Missing;
}

function merge(a: Missing | undefined, b: Missing): Missing {
  return a ? new Missing([...a.holes, ...b.holes]) : b;
}

function equal(a: Val, b: Val): boolean {
  const na = nullish(a);
  const nb = nullish(b);
  if (na || nb) return na && nb;
  return typeof a === typeof b ? a === b : String(a) === String(b);
}

function issue(st: RenderState, i: Issue): void {
  (st.issues ??= []).push(i);
}

/** Reports every hole of a missing value that reached the output. */
export function reportMissing(st: RenderState, m: Missing): void {
  for (const h of m.holes) {
    issue(
      st,
      h.kind === 'secret'
        ? { code: 'SECRET_NOT_FOUND', message: `Secret "${h.name}" was not found; create it or fix the name (or give a fallback with ?? or default).`, site: h.site, start: h.start, end: h.end, name: h.name }
        : { code: 'UNKNOWN_VARIABLE', message: `Variable "${h.name}" was declared but no value was passed in vars.`, site: h.site, start: h.start, end: h.end, name: h.name },
    );
  }
}

export function compileExpr(e: Expr, env: SiteEnv): Eval {
  switch (e.type) {
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'ref': {
      const idx = env.nameIndex.get(e.name) as number;
      const missing = new Missing([{ kind: 'secret', name: e.name, site: env.site, start: e.start, end: e.end }]);
      return (st) => st.values[idx] ?? missing;
    }
    case 'var': {
      const name = e.name;
      const missing = new Missing([{ kind: 'var', name, site: env.site, start: e.start, end: e.end }]);
      return (st) => (hasOwn.call(st.vars, name) ? (st.vars[name] as Scalar) : missing);
    }
    case 'concat': {
      const parts = e.parts.map((p) => compileExpr(p, env));
      return (st) => {
        let s = '';
        let miss: Missing | undefined;
        for (const p of parts) {
          const v = p(st);
          if (v instanceof Missing) miss = merge(miss, v);
          else s += str(v);
        }
        return miss ?? s;
      };
    }
    case 'add': {
      const l = compileExpr(e.left, env);
      const r = compileExpr(e.right, env);
      return (st) => {
        const a = l(st);
        const b = r(st);
        if (a instanceof Missing) return b instanceof Missing ? merge(a, b) : a;
        if (b instanceof Missing) return b;
        return typeof a === 'number' && typeof b === 'number' ? a + b : str(a) + str(b);
      };
    }
    case 'compare': {
      const l = compileExpr(e.left, env);
      const r = compileExpr(e.right, env);
      return e.op === '==' ? (st) => equal(l(st), r(st)) : (st) => !equal(l(st), r(st));
    }
    case 'logical': {
      const l = compileExpr(e.left, env);
      const r = compileExpr(e.right, env);
      if (e.op === '||') return (st) => {
        const a = l(st);
        return truthy(a) ? a : r(st);
      };
      if (e.op === '??') return (st) => {
        const a = l(st);
        return nullish(a) ? r(st) : a;
      };
      return (st) => {
        const a = l(st);
        return truthy(a) ? r(st) : a;
      };
    }
    case 'not': {
      const a = compileExpr(e.argument, env);
      return (st) => !truthy(a(st));
    }
    case 'cond': {
      const t = compileExpr(e.test, env);
      const a = compileExpr(e.then, env);
      const b = compileExpr(e.otherwise, env);
      return (st) => (truthy(t(st)) ? a(st) : b(st));
    }
    case 'call':
      return compileCall(e, env);
  }
}

function compileCall(e: Extract<Expr, { type: 'call' }>, env: SiteEnv): Eval {
  const args = e.args.map((a) => compileExpr(a, env));
  const arg = args[0] ?? ((): Val => null);
  if (e.fn === 'default') {
    const fallback = args[1] ?? ((): Val => null);
    return (st) => {
      const v = arg(st);
      return nullish(v) ? fallback(st) : v;
    };
  }
  const f = STRING_FILTERS[e.fn];
  const fn = e.fn;
  const { site } = env;
  const { start, end } = e;
  return (st) => {
    const v = arg(st);
    if (v instanceof Missing) return v;
    const out = f(str(v));
    if (out !== FILTER_FAILED) return out;
    issue(st, { code: 'INVALID_INPUT', message: failure(fn), site, start, end });
    return '';
  };
}

function failure(fn: string): string {
  return fn === 'b64decode'
    ? 'b64decode needs base64 that decodes to UTF-8 text; the value does not.'
    : `${fn} cannot encode a value that is not well-formed Unicode (it holds a lone surrogate).`;
}

/** First secret name an expression reads, if any (labels derived outputs in redaction). */
function firstRef(e: Expr): string | undefined {
  switch (e.type) {
    case 'ref':
      return e.name;
    case 'concat':
      for (const p of e.parts) {
        const n = firstRef(p);
        if (n) return n;
      }
      return undefined;
    case 'add':
    case 'compare':
    case 'logical':
      return firstRef(e.left) ?? firstRef(e.right);
    case 'not':
      return firstRef(e.argument);
    case 'cond':
      return firstRef(e.then) ?? firstRef(e.otherwise) ?? firstRef(e.test);
    case 'call':
      for (const a of e.args) {
        const n = firstRef(a);
        if (n) return n;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** One `{{ … }}` / `${…}` output: its value as text, context-encoded. */
function compileOutput(seg: Extract<Segment, { type: 'output' }>, env: SiteEnv): StringFn {
  const e = seg.expr;
  const encode = seg.context === 'userinfo' && !(e.type === 'call' && ENCODING_FILTERS.has(e.fn));
  const { site } = env;
  const { start, end } = seg;
  if (e.type === 'ref' && !encode) {
    // The common case, kept small: a value inserted as is.
    const idx = env.nameIndex.get(e.name) as number;
    const missing = new Missing([{ kind: 'secret', name: e.name, site, start: e.start, end: e.end }]);
    return (st) => {
      const v = st.values[idx];
      if (v !== undefined) return v;
      reportMissing(st, missing);
      return '';
    };
  }
  const fn = compileExpr(e, env);
  // A bare reference is redacted by its value's variants; anything computed is recorded.
  const label = e.type === 'ref' ? undefined : firstRef(e);
  return (st) => {
    const v = fn(st);
    if (v instanceof Missing) {
      reportMissing(st, v);
      return '';
    }
    let s = str(v);
    if (encode) {
      const enc = percentEncode(s);
      if (enc === FILTER_FAILED) {
        issue(st, { code: 'INVALID_INPUT', message: 'A value in the userinfo of a URL must be well-formed Unicode (it holds a lone surrogate).', site, start, end });
        return '';
      }
      s = enc;
    }
    if (label !== undefined && s.length > 0) (st.derived ??= []).push({ text: s, name: label });
    return s;
  };
}

/** A list of segments as one function producing the string. */
export function compileSegments(segments: readonly Segment[], env: SiteEnv): StringFn {
  const texts: string[] = [''];
  const outs: StringFn[] = [];
  for (const s of segments) {
    if (s.type === 'text') texts[texts.length - 1] += s.value;
    else {
      outs.push(s.type === 'output' ? compileOutput(s, env) : compileIf(s, env));
      texts.push('');
    }
  }
  const first = texts[0] as string;
  if (outs.length === 0) return () => first;
  const only = outs[0] as StringFn;
  if (outs.length === 1) {
    const last = texts[1] as string;
    if (first === '' && last === '') return only;
    return (st) => first + only(st) + last;
  }
  const n = outs.length;
  return (st) => {
    let s = first;
    for (let i = 0; i < n; i++) s += (outs[i] as StringFn)(st) + (texts[i + 1] as string);
    return s;
  };
}

function compileIf(s: Extract<Segment, { type: 'if' }>, env: SiteEnv): StringFn {
  const branches = s.branches.map((b) => ({ test: compileExpr(b.test, env), body: compileSegments(b.body, env) }));
  const otherwise = compileSegments(s.otherwise, env);
  return (st) => {
    for (const b of branches) if (truthy(b.test(st))) return b.body(st);
    return otherwise(st);
  };
}

/** A whole-string expression that keeps its type (`$ 1 + 1` is 2, `$ secrets.a ?? null` may be null). */
export function compileValue(e: Expr, env: SiteEnv): (st: RenderState) => Scalar {
  const fn = compileExpr(e, env);
  const label = e.type === 'ref' ? undefined : firstRef(e);
  return (st) => {
    const v = fn(st);
    if (v instanceof Missing) {
      reportMissing(st, v);
      return null;
    }
    if (label !== undefined && typeof v === 'string' && v.length > 0) (st.derived ??= []).push({ text: v, name: label });
    return v;
  };
}

/**
 * Classifies one string value (SPEC §1) and compiles it to a Program:
 * expression (`$ …` or exactly `$secrets.NAME`), template (`{{`/`{%` that refers to `secrets`),
 * inline (`$secrets.NAME`, `${secrets.NAME}`), or plain (returned as null: left untouched).
 */
import { LRUCache } from 'lru-cache';
import { INTERNAL_LIMITS, LIMITS } from '../limits.js';
import { lowerExpression } from './expression.js';
import { hasInlineMarker, scanInline } from './inline.js';
import type { Expr, Form, Program, Segment } from './ir.js';
import { Findings, type Finding, type LocalRef } from './finding.js';
import { lowerTemplate } from './template.js';

export interface CompiledString {
  form: Form;
  program: Program;
  refs: LocalRef[];
  problems: Finding[];
  /** Problems that do not stop a render (Julep dialect: a computed name left to the platform, text Julep leaves literal). */
  warnings?: Finding[];
}

const EXACT_REF = /^\$secrets\.[A-Za-z][A-Za-z0-9_]*$/;
const NO_VARS: ReadonlySet<string> = new Set();

/**
 * The form `value` has, without compiling it. A `$ ` string is an expression only when it
 * mentions `secrets` or a caller-provided variable (`vars`): `$ 100 per month` is text, as a
 * `{{ }}` string without `secrets` is.
 */
export function classify(value: string, vars: ReadonlySet<string> = NO_VARS): Form | 'plain' {
  if (value.length < 2 || (!value.includes('$') && !value.includes('{'))) return 'plain';
  if (value[0] === '$') {
    if (EXACT_REF.test(value)) return 'expression';
    if (/^\$\s/.test(value) && mentions(value, vars)) return 'expression';
  }
  if ((value.includes('{{') || value.includes('{%')) && templateMentionsSecrets(value)) return 'template';
  if (hasInlineMarker(value)) return 'inline';
  return 'plain';
}

/** True when `value` names `secrets` or one of `vars` as a word. */
function mentions(value: string, vars: ReadonlySet<string>): boolean {
  if (/(^|[^\w$])secrets\b/.test(value)) return true;
  for (const v of vars) {
    let i = value.indexOf(v);
    while (i !== -1) {
      const before = value[i - 1];
      const after = value[i + v.length];
      if (!(before !== undefined && /[\w$]/.test(before)) && !(after !== undefined && /[\w$]/.test(after))) return true;
      i = value.indexOf(v, i + 1);
    }
  }
  return false;
}

/** True when some `{{ … }}` / `{% … %}` tag of `value` names `secrets`. */
function templateMentionsSecrets(value: string): boolean {
  const open = /\{[{%]/g;
  for (let m = open.exec(value); m; m = open.exec(value)) {
    const closeTok = m[0] === '{{' ? '}}' : '%}';
    const close = value.indexOf(closeTok, m.index + 2);
    const body = value.slice(m.index + 2, close === -1 ? value.length : close);
    if (/(^|[^\w$])secrets\b/.test(body)) return true;
    if (close === -1) break;
    open.lastIndex = close + 2;
  }
  return false;
}

/** Compiles `value`; null when it is plain. Problems are collected, never thrown. */
export function compileString(value: string, vars: ReadonlySet<string> = NO_VARS): CompiledString | null {
  const form = classify(value, vars);
  if (form === 'plain') return null;
  // Tool definitions repeat the same reference strings (`Bearer $secrets.x`) across files and
  // tools: a compiled string is immutable, so one compilation serves them all.
  const key = vars.size === 0 ? value : `${[...vars].sort().join(',')}\u0000${value}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit === PLAIN ? null : hit;
  const compiled = compileUncached(value, form, vars);
  if (value.length <= INTERNAL_LIMITS.compileMemoMaxChars) memo.set(key, compiled ?? PLAIN);
  return compiled;
}

const PLAIN = 'plain';
const memo = new LRUCache<string, CompiledString | typeof PLAIN>({ max: INTERNAL_LIMITS.compileMemoEntries });

function compileUncached(value: string, form: Form | 'plain', vars: ReadonlySet<string>): CompiledString | null {
  if (form === 'plain') return null;
  const f = new Findings(vars, value);
  if (value.length > LIMITS.maxTemplateLength) {
    f.problem('LIMIT_EXCEEDED', `A string holding references is ${value.length} characters; the limit is ${LIMITS.maxTemplateLength} (maxTemplateLength).`, 0, 1);
    return { form, program: { form, kind: 'segments', segments: [{ type: 'text', value }] }, refs: [], problems: f.problems };
  }
  let program: Program;
  if (form === 'expression') {
    const expr = lowerExpression(value.slice(1), 1, f);
    const parts = flatten(expr);
    program = parts ? { form, kind: 'segments', segments: withContexts(parts) } : { form, kind: 'value', expr };
  } else if (form === 'template') {
    program = { form, kind: 'segments', segments: withContexts(lowerTemplate(value, f)) };
  } else {
    const segments = scanInline(value, f);
    if (f.refs.length === 0 && f.problems.length === 0 && segments.length === 1 && segments[0]?.type === 'text' && segments[0].value === value) return null;
    program = { form, kind: 'segments', segments: withContexts(segments) };
  }
  // `$secrets.NAME` as the whole string: the reference is the whole string, `$` included.
  if (form === 'expression' && !/^\$\s/.test(value)) {
    if (f.refs[0]) f.refs[0].start = 0;
    for (const p of f.problems) if (p.start === 1) p.start = 0; // a name over 128 characters
  }
  // Lowering visits `{{ a if b else c }}` as b, a, c; callers get references in source order.
  const byStart = (x: { start: number }, y: { start: number }): number => x.start - y.start;
  return { form, program, refs: f.refs.sort(byStart), problems: f.problems.sort(byStart) };
}

/** A string-valued expression as text and output parts; undefined when it is not a string concatenation. */
function flatten(expr: Expr): Segment[] | undefined {
  if (expr.type === 'ref' || expr.type === 'call') return [output(expr)];
  if (expr.type !== 'concat' && expr.type !== 'add') return undefined;
  if (expr.type === 'add' && !stringy(expr)) return undefined;
  const out: Segment[] = [];
  const walk = (e: Expr): void => {
    if (e.type === 'concat') e.parts.forEach(walk);
    else if (e.type === 'add' && stringy(e)) {
      walk(e.left);
      walk(e.right);
    } else if (e.type === 'literal') out.push({ type: 'text', value: e.value === null ? '' : String(e.value) });
    else out.push(output(e));
  };
  walk(expr);
  return out;
}

/** An addition is a string concatenation unless both sides are number literals. */
function stringy(e: Expr): boolean {
  // A caller variable may be a number (`$ count + 1` is 42, not "411"): its type is unknown here.
  if (e.type === 'var') return false;
  if (e.type !== 'add') return !(e.type === 'literal' && typeof e.value !== 'string');
  return stringy(e.left) || stringy(e.right);
}

function output(expr: Expr): Segment {
  const pos = exprSpan(expr);
  return { type: 'output', expr, context: 'text', start: pos[0], end: pos[1] };
}

function exprSpan(e: Expr): [number, number] {
  if ('start' in e) return [e.start, e.end];
  let lo = Infinity;
  let hi = -Infinity;
  const visit = (x: Expr): void => {
    if ('start' in x) {
      lo = Math.min(lo, x.start);
      hi = Math.max(hi, x.end);
    }
    for (const c of childrenOf(x)) visit(c);
  };
  visit(e);
  return lo === Infinity ? [0, 0] : [lo, hi];
}

function childrenOf(e: Expr): Expr[] {
  switch (e.type) {
    case 'concat':
      return e.parts;
    case 'add':
    case 'compare':
    case 'logical':
      return [e.left, e.right];
    case 'not':
      return [e.argument];
    case 'cond':
      return [e.test, e.then, e.otherwise];
    case 'call':
      return e.args;
    default:
      return [];
  }
}

// `scheme://` then userinfo so far (no `/ ? # @` yet); userinfo ends at an `@` before any `/ ? #`.
// The URL may sit inside a longer string (`psql postgres://u:${secrets.p}@db/app`).
const USERINFO_BEFORE = /(?:^|[^A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@\s]*$/;
const USERINFO_AFTER = /^[^/?#@\s]*@/;
const OPAQUE = '\u0000';

/** Marks outputs that land in a URL's userinfo (top level of the string only). */
function withContexts(segments: Segment[]): Segment[] {
  if (!segments.some((s) => s.type === 'text' && s.value.includes('://'))) return segments;
  const flat = segments.map((s) => (s.type === 'text' ? s.value : OPAQUE)).join('');
  if (segments.some((s) => s.type === 'if')) return segments;
  let at = 0;
  return segments.map((s) => {
    const here = at;
    at += s.type === 'text' ? s.value.length : 1;
    if (s.type !== 'output') return s;
    const before = flat.slice(0, here);
    const after = flat.slice(here + 1);
    return USERINFO_BEFORE.test(before) && USERINFO_AFTER.test(after) ? { ...s, context: 'userinfo' } : s;
  });
}

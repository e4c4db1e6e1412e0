/**
 * Lowers a jsep AST to our IR, refusing everything outside the allowlist of SPEC §1 before
 * anything can run: literals, `secrets.NAME` / `secrets["NAME"]`, caller vars, `+`, template
 * literals, f-strings, `?:`, `??`, `||`, `&&`, `!`, `==`/`!=`, and calls of the built-ins.
 */
import { clip } from '../errors.js';
import { BUILTINS, isBuiltin } from './builtins.js';
import type { Expr } from './ir.js';
import { parseJsep, type FStringNode, type JsepNode } from './jsep.js';
import type { Findings } from './finding.js';
import { nameProblem, suggestName } from './names.js';

type N = JsepNode & Record<string, unknown>;

const NOTHING: Expr = { type: 'literal', value: null };

/** Parses and lowers the expression `text`, which starts at index `base` of its string value. */
export function lowerExpression(text: string, base: number, f: Findings): Expr {
  let ast: N;
  try {
    ast = parseJsep(text) as N;
  } catch (e) {
    // An error at the very end (`$ secrets.a +`) points at the last character, never at nothing.
    const at = base + Math.max(0, Math.min(text.length - 1, (e as { index?: number }).index ?? 0));
    const why = (e as { description?: string }).description ?? 'malformed expression';
    f.problem('REFERENCE_SYNTAX', `Malformed expression: ${why}. Write e.g. "$ secrets.NAME" or "$ 'Bearer ' + secrets.NAME".`, at, Math.min(at + 1, base + text.length));
    return NOTHING;
  }
  return lower(ast, base, f, false);
}

function span(n: N, base: number, fallback: number): [number, number] {
  const s = first(n);
  const e = last(n);
  return [base + (s ?? fallback), base + (e ?? s ?? fallback) ];
}

function first(n: unknown): number | undefined {
  if (!n || typeof n !== 'object') return undefined;
  const o = n as Record<string, unknown>;
  let best = typeof o.start === 'number' ? o.start : undefined;
  for (const k of ['object', 'callee', 'left', 'test', 'argument', 'property', 'right', 'expressions', 'arguments', 'elements', 'body', 'tag', 'quasi']) {
    const v = o[k];
    const c = Array.isArray(v) ? first(v[0]) : first(v);
    if (c !== undefined && (best === undefined || c < best)) best = c;
  }
  return best;
}

function last(n: unknown): number | undefined {
  if (!n || typeof n !== 'object') return undefined;
  const o = n as Record<string, unknown>;
  let best = typeof o.end === 'number' ? o.end : undefined;
  for (const k of ['property', 'right', 'alternate', 'argument', 'arguments', 'expressions', 'callee', 'object', 'elements', 'body', 'quasi', 'tag']) {
    const v = o[k];
    const c = Array.isArray(v) ? last(v[v.length - 1]) : last(v);
    if (c !== undefined && (best === undefined || c > best)) best = c;
  }
  return best;
}

function lower(n: N, base: number, f: Findings, optional: boolean): Expr {
  const [start, end] = span(n, base, 0);
  switch (n.type) {
    case 'Literal': {
      const v = n.value;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return { type: 'literal', value: v };
      f.problem('UNSAFE_EXPRESSION', 'Only string, number, boolean and null literals are allowed.', start, end);
      return NOTHING;
    }
    case 'Identifier': {
      const name = n.name as string;
      if (name === 'secrets') {
        f.problem('REFERENCE_DYNAMIC', 'Refer to one secret by name: secrets.NAME.', start, end);
        return NOTHING;
      }
      if (f.vars.has(name)) return { type: 'var', name, start, end };
      f.problem('UNKNOWN_VARIABLE', `Unknown variable "${clip(name)}": only secrets.NAME and variables passed as vars are visible.`, start, end);
      return NOTHING;
    }
    case 'MemberExpression':
      return lowerMember(n, base, f, optional, start, end);
    case 'ThisExpression':
      f.problem('UNSAFE_EXPRESSION', '"this" is not allowed in an expression.', start, end);
      return NOTHING;
    case 'CallExpression':
      return lowerCall(n, base, f, optional, start, end);
    case 'UnaryExpression': {
      const arg = n.argument as N;
      if (n.operator === '!') return { type: 'not', argument: lower(arg, base, f, true) };
      if (n.operator === '-' && arg.type === 'Literal' && typeof arg.value === 'number') return { type: 'literal', value: -arg.value };
      // jsep records no offset for the operator itself; it is the last one before the operand.
      const op = f.value.lastIndexOf(String(n.operator), start);
      f.problem('UNSAFE_EXPRESSION', `Operator "${clip(String(n.operator))}" is not allowed; use +, ?:, ??, ||, &&, !, == or !=.`, op >= base ? op : start, end);
      return NOTHING;
    }
    case 'BinaryExpression': {
      const op = n.operator as string;
      if (op === '??' || op === '||' || op === '&&') {
        return { type: 'logical', op, left: lower(n.left as N, base, f, op !== '&&' || optional), right: lower(n.right as N, base, f, optional) };
      }
      const left = lower(n.left as N, base, f, optional);
      const right = lower(n.right as N, base, f, optional);
      if (op === '+') return { type: 'add', left, right };
      if (op === '==' || op === '===') return { type: 'compare', op: '==', left, right };
      if (op === '!=' || op === '!==') return { type: 'compare', op: '!=', left, right };
      f.problem('UNSAFE_EXPRESSION', `Operator "${clip(op)}" is not allowed; use +, ?:, ??, ||, &&, !, == or !=.`, start, end);
      return NOTHING;
    }
    case 'ConditionalExpression':
      return {
        type: 'cond',
        test: lower(n.test as N, base, f, true),
        then: lower(n.consequent as N, base, f, optional),
        otherwise: lower(n.alternate as N, base, f, optional),
      };
    case 'TemplateLiteral': {
      const quasis = n.quasis as { value: { cooked: string } }[];
      const exprs = n.expressions as N[];
      return concat(quasis.map((q) => q.value.cooked), exprs.map((e) => lower(e, base, f, optional)));
    }
    case 'FString': {
      const fs = n as unknown as FStringNode;
      return concat(fs.quasis, fs.expressions.map((e) => lower(e as N, base, f, optional)));
    }
    case 'Compound':
      f.problem('REFERENCE_SYNTAX', 'An expression holds exactly one expression; join parts with +.', start, end);
      return NOTHING;
    default:
      f.problem('UNSAFE_EXPRESSION', `${clip(String(n.type))} is not allowed in an expression.`, start, end);
      return NOTHING;
  }
}

function concat(texts: string[], exprs: Expr[]): Expr {
  const parts: Expr[] = [];
  texts.forEach((t, i) => {
    if (t) parts.push({ type: 'literal', value: t });
    const e = exprs[i];
    if (e) parts.push(e);
  });
  return { type: 'concat', parts };
}

function lowerMember(n: N, base: number, f: Findings, optional: boolean, start: number, end: number): Expr {
  const object = n.object as N;
  const property = n.property as N;
  if (object.type !== 'Identifier' || object.name !== 'secrets') {
    f.problem('UNSAFE_EXPRESSION', 'Property access is only allowed on secrets (secrets.NAME); values have no properties here.', start, end);
    return NOTHING;
  }
  let name: string;
  let refEnd = end;
  if (!n.computed) {
    name = property.name as string;
  } else if (property.type === 'Literal' && typeof property.value === 'string') {
    name = property.value;
    refEnd = closingBracket(f, end);
  } else if (property.type === 'Literal') {
    f.problem('INVALID_NAME', 'A secret name is a string: secrets["NAME"].', start, closingBracket(f, end));
    return NOTHING;
  } else {
    f.problem('REFERENCE_DYNAMIC', 'Secret names must be literal (secrets.NAME or secrets["NAME"]) so they can be resolved in one batch and linted.', start, closingBracket(f, end));
    return NOTHING;
  }
  const bad = nameProblem(name);
  if (bad) {
    const suggestion = suggestName(name);
    f.problem('INVALID_NAME', `Invalid secret name "${clip(name)}": ${bad}.`, start, refEnd, suggestion && `secrets.${suggestion}`);
    return NOTHING;
  }
  f.refs.push({ name, start, end: refEnd, optional });
  return { type: 'ref', name, start, end: refEnd };
}

/** `secrets["x"]` ends after its `]`, which jsep does not record. */
function closingBracket(f: Findings, end: number): number {
  const i = f.value.indexOf(']', end);
  return i === -1 ? end : i + 1;
}

function lowerCall(n: N, base: number, f: Findings, optional: boolean, start: number, argsEnd: number): Expr {
  // jsep does not record the closing `)`; the call ends after it.
  const close = f.value.indexOf(')', argsEnd);
  const end = close === -1 ? argsEnd : close + 1;
  const callee = n.callee as N;
  const args = n.arguments as N[];
  if (callee.type !== 'Identifier') {
    f.problem('UNSAFE_EXPRESSION', 'Method calls are not allowed; call a built-in function: ' + Object.keys(BUILTINS).join(', ') + '.', start, end);
    return NOTHING;
  }
  const fn = callee.name as string;
  if (!isBuiltin(fn)) {
    f.problem('UNKNOWN_FILTER', `"${clip(fn)}" is not a built-in function; use one of ${Object.keys(BUILTINS).join(', ')}.`, start, (callee.end ?? end - base) + base);
    return NOTHING;
  }
  const arity = BUILTINS[fn];
  // default(x, fallback): the value plus the filter's own arguments.
  if (args.length - 1 < arity.min || args.length - 1 > arity.max) {
    const want = arity.min + 1 === arity.max + 1 ? `${arity.min + 1}` : `${arity.min + 1}–${arity.max + 1}`;
    f.problem('REFERENCE_SYNTAX', `${fn}() takes ${want} argument(s).`, start, end);
    return NOTHING;
  }
  const lowered = args.map((a, i) => lower(a, base, f, optional || (fn === 'default' && i === 0)));
  return { type: 'call', fn, args: lowered, start, end };
}

/** Identifiers come from the document; keep messages short. */

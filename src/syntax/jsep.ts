/**
 * The one place jsep is configured: template literals, ternaries (built in), `??`, Python-style
 * f-strings, and source offsets on identifiers and string literals. Nothing here evaluates;
 * `lowerExpression` decides what is allowed.
 */
import jsep from 'jsep';
import templateLiteral from '@jsep-plugin/template';

export type JsepNode = jsep.Expression & { start?: number; end?: number };

export interface FStringNode {
  type: 'FString';
  quasis: string[];
  expressions: JsepNode[];
  start: number;
  end: number;
  [key: string]: unknown;
}

const F_CODE = 102; // f
const SQ = 39;
const DQ = 34;

let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  jsep.plugins.register(templateLiteral);
  jsep.addBinaryOp('??', 1);

  // Offsets on the nodes positions are reported for.
  const proto = (jsep as unknown as { Jsep: { prototype: object } }).Jsep.prototype as unknown as Record<string, (this: { index: number }, ...a: unknown[]) => JsepNode>;
  for (const method of ['gobbleIdentifier', 'gobbleStringLiteral', 'gobbleNumericLiteral'] as const) {
    const original = proto[method] as (this: { index: number }, ...a: unknown[]) => JsepNode;
    proto[method] = function (this: { index: number }, ...args: unknown[]) {
      const start = this.index;
      const node = original.apply(this, args);
      node.start = start;
      node.end = this.index;
      return node;
    };
  }

  // `[…]` arrays and the keyword tokens `this`/`true`/`false`/`null` are built without going
  // through the methods above; give them offsets too, so refusals point at them.
  const gobbleArray = proto.gobbleArray as (this: { index: number }) => JsepNode;
  proto.gobbleArray = function (this: { index: number }) {
    const start = this.index;
    const node = gobbleArray.call(this);
    node.start = start;
    node.end = this.index;
    return node;
  };
  const gobbleTokenProperty = proto.gobbleTokenProperty as (this: { index: number }, node: JsepNode) => JsepNode;
  proto.gobbleTokenProperty = function (this: { index: number }, node: unknown) {
    const n = node as JsepNode & { raw?: unknown };
    if (n && n.start === undefined) {
      const len = n.type === 'ThisExpression' ? 4 : n.type === 'Literal' && typeof n.raw === 'string' ? n.raw.length : 0;
      if (len > 0) {
        n.start = this.index - len;
        n.end = this.index;
      }
    }
    return gobbleTokenProperty.call(this, n);
  };

  jsep.hooks.add('gobble-token', function fString(this: { code: number; index: number; expr: string; gobbleTokenProperty(n: unknown): jsep.Expression; throwError(m: string): never }, env: { node?: jsep.Expression }) {
    const q = this.expr.charCodeAt(this.index + 1);
    if (this.code !== F_CODE || (q !== SQ && q !== DQ)) return;
    // gobbleToken only runs at a token start, so this `f` is not the tail of an identifier.
    // Member access and calls after the literal are parsed so the allowlist can refuse them.
    env.node = this.gobbleTokenProperty(gobbleFString(this));
  });
}

interface Parser {
  index: number;
  expr: string;
  throwError(message: string): never;
}

function gobbleFString(p: Parser): FStringNode {
  const start = p.index;
  const quote = p.expr[p.index + 1] as string;
  let i = p.index + 2;
  const quasis: string[] = [];
  const expressions: JsepNode[] = [];
  let text = '';
  for (;;) {
    if (i >= p.expr.length) {
      p.index = i;
      p.throwError('Unclosed f-string');
    }
    const c = p.expr[i] as string;
    if (c === quote) {
      i++;
      break;
    }
    if (c === '\\') {
      const e = p.expr[i + 1] ?? '';
      text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      i += 2;
      continue;
    }
    if (c === '{' && p.expr[i + 1] === '{') {
      text += '{';
      i += 2;
      continue;
    }
    if (c === '}' && p.expr[i + 1] === '}') {
      text += '}';
      i += 2;
      continue;
    }
    if (c === '}') {
      p.index = i;
      p.throwError("Single '}' in f-string; write '}}' for a literal brace");
    }
    if (c === '{') {
      const close = findClose(p.expr, i + 1, quote);
      if (close === -1) {
        p.index = i;
        p.throwError("Unclosed '{' in f-string");
      }
      const inner = p.expr.slice(i + 1, close);
      if (/^\s*$/.test(inner)) {
        p.index = i;
        p.throwError('Empty expression in f-string');
      }
      let node: JsepNode;
      try {
        node = parseJsep(inner);
      } catch (e) {
        p.index = i + 1 + ((e as { index?: number }).index ?? 0);
        p.throwError((e as { description?: string }).description ?? 'Invalid expression in f-string');
      }
      shift(node, i + 1);
      quasis.push(text);
      text = '';
      expressions.push(node);
      i = close + 1;
      continue;
    }
    text += c;
    i++;
  }
  quasis.push(text);
  p.index = i;
  return { type: 'FString', quasis, expressions, start, end: i };
}

/** Index of the `}` closing an f-string field, skipping nested brackets and quoted strings. */
function findClose(s: string, from: number, outerQuote: string): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === outerQuote) return -1;
    if (c === '"' || c === "'" || c === '`') {
      const end = s.indexOf(c, i + 1);
      if (end === -1) return -1;
      i = end;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function shift(node: unknown, by: number): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (typeof n.start === 'number') n.start += by;
  if (typeof n.end === 'number') (n.end as number) += by;
  for (const k of Object.keys(n)) {
    const v = n[k];
    if (k === 'start' || k === 'end') continue;
    if (Array.isArray(v)) v.forEach((c) => shift(c, by));
    else if (v && typeof v === 'object') shift(v, by);
  }
}

/** Parses an expression (the text after `$`). Throws jsep's error, with `index`, when malformed. */
export function parseJsep(text: string): JsepNode {
  configure();
  return jsep(text) as JsepNode;
}

/**
 * Parses a template with nunjucks' parser (parsing only: nunjucks is not a sandbox) and lowers
 * its AST to our IR, refusing every node outside the allowlist of SPEC §1 before anything runs:
 * `{{ expr | filter(args) }}`, `{% if/elif/else/endif %}`, `{% raw %}`, literals, secrets.NAME,
 * caller vars, `or`/`and`/`not`, `==`/`!=`, `~`/`+`, inline `a if c else b`.
 */
import { clip } from '../errors.js';
import { INTERNAL_LIMITS } from '../limits.js';
// nunjucks' parser module alone: its index also loads the compiler, environment and loaders,
// which secretref never uses and a command-line start would pay for.
import nunjucksParser from 'nunjucks/src/parser.js';
import { BUILTINS, isBuiltin } from './builtins.js';
import type { Expr, Segment } from './ir.js';
import type { Findings } from './finding.js';
import { nameProblem, suggestName } from './names.js';

interface NjNode {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  children?: NjNode[];
  [field: string]: unknown;
}

const parser = nunjucksParser as { parse(src: string): NjNode };
const NOTHING: Expr = { type: 'literal', value: null };
const REF_AT = /secrets\s*(?:\.\s*[A-Za-z_$][\w$]*|\[\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\])/y;

/** Lowers template `value` (the whole string value) into segments. */
export function lowerTemplate(value: string, f: Findings): Segment[] {
  const lines = lineStarts(value);
  const at = (n: NjNode): number => Math.min(value.length, (lines[n.lineno] ?? 0) + n.colno);
  let root: NjNode;
  try {
    root = parser.parse(value);
  } catch (e) {
    const err = e as { lineno?: number; colno?: number; message?: string };
    const pos = err.lineno ? Math.min(value.length, (lines[err.lineno - 1] ?? 0) + Math.max(0, (err.colno ?? 1) - 1)) : 0;
    const msg = String(err.message ?? 'malformed template').split('\n').pop()?.trim() ?? 'malformed template';
    f.problem('REFERENCE_SYNTAX', `Malformed template: ${clip(msg, INTERNAL_LIMITS.quotedParserChars)}. Write e.g. "{{ secrets.NAME }}".`, pos, Math.min(value.length, pos + 1));
    return [];
  }
  return new Lowerer(value, f, at).body(root.children ?? []);
}

class Lowerer {
  constructor(
    private readonly value: string,
    private readonly f: Findings,
    private readonly at: (n: NjNode) => number,
  ) {}

  body(nodes: NjNode[]): Segment[] {
    const out: Segment[] = [];
    for (const n of nodes) {
      if (n.typename === 'Output') {
        for (const c of n.children ?? []) {
          if (c.typename === 'TemplateData') out.push({ type: 'text', value: String(c.value ?? '') });
          else {
            // nunjucks places a node at its operator (`.`, `|`, `~`), after the references it
            // holds; the output spans its whole `{{ … }}` tag so it contains them.
            const at = this.at(c);
            const open = this.value.lastIndexOf('{{', at);
            const start = open === -1 ? at : open;
            const expr = this.expr(c, false);
            out.push({ type: 'output', expr, context: 'text', start, end: this.outputEnd(at) });
          }
        }
      } else if (n.typename === 'If') {
        out.push(this.ifBlock(n));
      } else {
        this.unsafe(n, `{% ${tagName(n)} %} is not allowed in a template; only if/elif/else/endif and raw are.`);
      }
    }
    return out;
  }

  private ifBlock(n: NjNode): Segment {
    const branches: { test: Expr; body: Segment[] }[] = [];
    let node: NjNode | undefined = n;
    let otherwise: Segment[] = [];
    while (node) {
      branches.push({ test: this.expr(node.cond as NjNode, true), body: this.body(children(node.body)) });
      const e = node.else_ as NjNode | null | undefined;
      if (e && e.typename === 'If') node = e;
      else {
        otherwise = e ? this.body(children(e)) : [];
        node = undefined;
      }
    }
    return { type: 'if', branches, otherwise };
  }

  private expr(n: NjNode, optional: boolean): Expr {
    switch (n.typename) {
      case 'Literal': {
        const v = n.value;
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return { type: 'literal', value: v };
        return this.unsafe(n, 'Only string, number, boolean and none literals are allowed.');
      }
      case 'Symbol':
        return this.symbol(n);
      case 'LookupVal':
        return this.lookup(n, optional);
      case 'Group': {
        const kids = n.children ?? [];
        if (kids.length !== 1) return this.unsafe(n, 'Tuples are not allowed in a template.');
        return this.expr(kids[0] as NjNode, optional);
      }
      case 'Filter':
        return this.filter(n, optional);
      case 'Or':
      case 'And':
        return {
          type: 'logical',
          op: n.typename === 'Or' ? '||' : '&&',
          left: this.expr(n.left as NjNode, optional || n.typename === 'Or'),
          right: this.expr(n.right as NjNode, optional),
        };
      case 'Not':
        return { type: 'not', argument: this.expr(n.target as NjNode, true) };
      case 'Concat':
        return { type: 'concat', parts: [this.expr(n.left as NjNode, optional), this.expr(n.right as NjNode, optional)] };
      case 'Add':
        return { type: 'add', left: this.expr(n.left as NjNode, optional), right: this.expr(n.right as NjNode, optional) };
      case 'InlineIf':
        return {
          type: 'cond',
          test: this.expr(n.cond as NjNode, true),
          then: this.expr(n.body as NjNode, optional),
          otherwise: n.else_ ? this.expr(n.else_ as NjNode, optional) : { type: 'literal', value: '' },
        };
      case 'Compare': {
        const ops = (n.ops as { type: string; expr: NjNode }[]) ?? [];
        const op = ops[0];
        if (ops.length !== 1 || !op || !['==', '!=', '===', '!=='].includes(op.type)) {
          return this.unsafe(n, 'Only == and != comparisons are allowed.', this.leftmost(n));
        }
        return { type: 'compare', op: op.type.startsWith('!') ? '!=' : '==', left: this.expr(n.expr as NjNode, true), right: this.expr(op.expr, true) };
      }
      case 'FunCall':
        return this.unsafe(n, 'Function calls are not allowed in a template; use a filter: {{ secrets.NAME | urlencode }}.', this.leftmost(n));
      default:
        // Report from the leftmost operand (`secrets.a * 2` starts at `secrets`, not at `*`).
        return this.unsafe(n, `${n.typename} is not allowed in a template.`, this.leftmost(n));
    }
  }

  private symbol(n: NjNode): Expr {
    const name = String(n.value);
    const start = this.at(n);
    const end = start + name.length;
    if (name === 'secrets') {
      this.f.problem('REFERENCE_DYNAMIC', 'Refer to one secret by name: {{ secrets.NAME }}.', start, end);
      return NOTHING;
    }
    if (this.f.vars.has(name)) return { type: 'var', name, start, end };
    this.f.problem('UNKNOWN_VARIABLE', `Unknown variable "${clip(name)}": only secrets.NAME and variables passed as vars are visible.`, start, end);
    return NOTHING;
  }

  private lookup(n: NjNode, optional: boolean): Expr {
    const target = n.target as NjNode;
    const val = n.val as NjNode | null | undefined;
    if (target.typename !== 'Symbol' || target.value !== 'secrets') {
      // Walk down to report the leftmost part: `range.constructor`, `secrets.a.b`.
      return this.unsafe(n, 'Attribute access is only allowed on secrets (secrets.NAME); values have no attributes here.', this.leftmost(n));
    }
    const start = this.at(target);
    if (!val) {
      // `secrets[]`: nunjucks parses it with no key node.
      const close = this.value.indexOf(']', start);
      this.f.problem('REFERENCE_SYNTAX', 'An empty lookup secrets[] names no secret; write secrets.NAME or secrets["NAME"].', start, close === -1 ? this.value.length : close + 1);
      return NOTHING;
    }
    REF_AT.lastIndex = start;
    const m = REF_AT.exec(this.value);
    const end = m ? start + m[0].length : this.bracketEnd(start, this.at(val));
    if (val.typename !== 'Literal') {
      this.f.problem('REFERENCE_DYNAMIC', 'Secret names must be literal (secrets.NAME or secrets["NAME"]) so they can be resolved in one batch and linted.', start, end);
      return NOTHING;
    }
    if (typeof val.value !== 'string') {
      this.f.problem('INVALID_NAME', 'A secret name is a string: secrets["NAME"].', start, end);
      return NOTHING;
    }
    const name = val.value;
    const bad = nameProblem(name);
    if (bad) {
      const s = suggestName(name);
      this.f.problem('INVALID_NAME', `Invalid secret name "${clip(name)}": ${bad}.`, start, end, s && `secrets.${s}`);
      return NOTHING;
    }
    this.f.refs.push({ name, start, end, optional });
    return { type: 'ref', name, start, end };
  }

  private filter(n: NjNode, optional: boolean): Expr {
    const nameNode = n.name as NjNode;
    const fn = String(nameNode.value);
    const args = children(n.args);
    const start = this.at(nameNode);
    if (!isBuiltin(fn)) {
      this.f.problem('UNKNOWN_FILTER', `"${clip(fn)}" is not a built-in filter; use one of ${Object.keys(BUILTINS).join(', ')}.`, start, start + fn.length);
      return NOTHING;
    }
    if (args.some((a) => a.typename === 'KeywordArgs')) return this.unsafe(n, 'Keyword arguments are not allowed in filters.');
    const arity = BUILTINS[fn];
    if (args.length - 1 < arity.min || args.length - 1 > arity.max) {
      this.f.problem('REFERENCE_SYNTAX', `Filter ${fn} takes ${arity.max === 0 ? 'no arguments' : `${arity.max} argument`}.`, start, start + fn.length);
      return NOTHING;
    }
    const lowered = args.map((a, i) => this.expr(a, optional || (fn === 'default' && i === 0)));
    return { type: 'call', fn, args: lowered, start, end: start + fn.length };
  }

  /** End of a computed lookup `secrets[…]` starting at `start`: after its `]`. */
  private bracketEnd(start: number, inner: number): number {
    const open = this.value.indexOf('[', start);
    if (open === -1 || open > inner) return inner + 1;
    let depth = 0;
    for (let i = open; i < this.value.length; i++) {
      const c = this.value[i];
      if (c === '"' || c === "'") {
        const q = this.value.indexOf(c, i + 1);
        if (q === -1) break;
        i = q;
      } else if (c === '[') depth++;
      else if (c === ']' && --depth === 0) return i + 1;
    }
    return inner + 1;
  }

  private leftmost(n: NjNode): NjNode {
    let cur = n;
    for (;;) {
      const next = (cur.target ?? cur.name ?? cur.left ?? cur.expr) as NjNode | undefined;
      if (!next || typeof next !== 'object' || !('typename' in next)) return cur;
      cur = next;
    }
  }

  private unsafe(n: NjNode, message: string, at: NjNode = n): Expr {
    const start = this.at(at);
    this.f.problem('UNSAFE_TEMPLATE', message, start, this.outputEnd(start));
    return NOTHING;
  }

  /** End of the tag holding `start`: just after its closing `}}` or `%}`. */
  private outputEnd(start: number): number {
    const a = this.value.indexOf('}}', start);
    const b = this.value.indexOf('%}', start);
    const e = a === -1 ? b : b === -1 ? a : Math.min(a, b);
    return e === -1 ? this.value.length : e + 2;
  }
}

function children(n: unknown): NjNode[] {
  return ((n as NjNode | undefined)?.children ?? []) as NjNode[];
}

function tagName(n: NjNode): string {
  const names: Record<string, string> = { Set: 'set', For: 'for', Macro: 'macro', Include: 'include', Import: 'import', FromImport: 'from … import', Extends: 'extends', Block: 'block', Call: 'call', FilterAsync: 'filter', Switch: 'switch', CallExtension: 'extension' };
  return names[n.typename] ?? n.typename.toLowerCase();
}

function lineStarts(s: string): number[] {
  const starts = [0];
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}


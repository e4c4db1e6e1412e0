/**
 * Python source to a lezer tree, corrected where lezer reads f-strings differently from CPython:
 * a backslash before `{` or `}` in f-string text (`\{secrets.x}`) is, to CPython, a literal
 * backslash and then a field; lezer takes it for an escape and would hide the field. Such a
 * backslash is replaced (in the text lezer sees, same length) by a neutral letter and the source
 * parsed again, until none is left.
 */
import { createRequire } from 'node:module';
import type { SyntaxNode, Tree } from '@lezer/common';
import type * as LezerPython from '@lezer/python';

/**
 * The Python grammar, loaded when the first Python source is parsed: building its parse tables
 * costs start-up time that a definition without Julep expressions never needs (CommonJS build,
 * so the load stays synchronous).
 */
let python: typeof LezerPython.parser | undefined;
const load = createRequire(import.meta.url);
function pythonParser(): typeof LezerPython.parser {
  python ??= (load('@lezer/python') as typeof LezerPython).parser;
  return python;
}

export interface ParsedPython {
  tree: Tree;
  /** Offsets of backslashes that CPython keeps as text just before a `{` or `}` of an f-string. */
  danglingBackslashes: ReadonlySet<number>;
  /** Offset of the first syntax error, if any. */
  errorAt: number | undefined;
}

const FSTRING_HEAD = /^([rRfF]{1,2})('''|"""|'|")/;

/** The prefix letters and quote of a FormatString node's text. */
export function stringHead(text: string): { raw: boolean; quote: "'" | '"'; long: boolean; length: number } | undefined {
  const m = FSTRING_HEAD.exec(text);
  if (!m || !m[1] || !m[2]) return undefined;
  return { raw: /[rR]/.test(m[1]), quote: m[2][0] === '"' ? '"' : "'", long: m[2].length === 3, length: m[1].length + m[2].length };
}

export function parsePython(python: string): ParsedPython {
  let text = python;
  const dangling = new Set<number>();
  for (;;) {
    const tree = pythonParser().parse(text);
    const found = findHiddenFields(tree, text);
    if (found.length === 0) return { tree, danglingBackslashes: dangling, errorAt: firstError(tree) };
    let next = '';
    let last = 0;
    for (const at of found) {
      dangling.add(at);
      next += `${text.slice(last, at)}Z`;
      last = at + 1;
    }
    text = next + text.slice(last);
  }
}

/** Backslashes that end an odd run right before `{`/`}` in the literal text of an f-string. */
function findHiddenFields(tree: Tree, text: string): number[] {
  const out: number[] = [];
  tree.iterate({
    enter(n) {
      if (n.name !== 'FormatString') return;
      const node = n.node;
      const head = stringHead(text.slice(node.from, node.to));
      if (!head) return;
      for (const [a, b] of literalSegments(node, head.length, head.long ? 3 : 1)) {
        for (let i = a; i < b; i++) {
          if (text[i] !== '\\') continue;
          let j = i;
          while (j < b && text[j] === '\\') j++;
          const run = j - i;
          if (run % 2 === 1 && (text[j] === '{' || text[j] === '}')) out.push(j - 1);
          i = j - 1;
        }
      }
    },
  });
  return [...new Set(out)].sort((x, y) => x - y);
}

/** [from, to) ranges of a FormatString's own text: between its quotes, outside its fields. */
export function literalSegments(node: SyntaxNode, headLength: number, closeLength: number): [number, number][] {
  const segments: [number, number][] = [];
  let at = node.from + headLength;
  const end = Math.max(at, node.to - closeLength);
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name !== 'FormatReplacement') continue;
    if (c.from > at) segments.push([at, Math.min(c.from, end)]);
    at = c.to;
  }
  if (end > at) segments.push([at, end]);
  return segments;
}

function firstError(tree: Tree): number | undefined {
  let at: number | undefined;
  tree.iterate({
    enter(n) {
      if (at !== undefined) return false;
      if (n.type.isError) {
        at = n.from;
        return false;
      }
      return undefined;
    },
  });
  return at;
}

/**
 * A fast path for block YAML in the shapes tool definitions are written in: block mappings and
 * sequences, one-line plain and quoted scalars, one-line flow collections, literal and folded
 * block scalars, and comments. One pass over the text builds the value and reports each string
 * with its source span, without yaml's token stream, syntax tree and node objects: a cold process
 * lints a YAML definition in about a third of the time.
 *
 * This file only decides where each node starts and ends. What a scalar means is yaml's: plain
 * scalars are resolved by the tags of yaml's own core schema (`true`, `0x1F`, `.inf`, `~`), and
 * escapes, folding and chomping by yaml's own scalar resolver (`CST.resolveAsScalar`). Anything
 * outside these shapes makes it give up — anchors, aliases, tags, directives, document markers,
 * complex keys, plain or quoted scalars over several lines, flow collections over several lines,
 * tabs, carriage returns, control characters, a duplicate key, a keep (`+`) or explicit
 * indentation indicator, anything yaml would report — and the caller takes the general path, which
 * is the one that reports problems. Tests check that both paths agree (test/syntax/yaml-fast.test.ts).
 */
import { CST, isScalar, Schema } from 'yaml';
import { LIMITS } from '../limits.js';
import type { FastSink } from './json-fast.js';
import type { OffsetMap, ScalarKind } from './scalar-offsets.js';
import { setOwn } from './set-own.js';

type OffsetsFor = (start: number, end: number, kind: ScalarKind, value: string) => OffsetMap;

const GIVE_UP = Symbol('not in the fast path');

/** Characters that cannot start a plain scalar here (YAML indicators; `-` is checked apart). */
const INDICATOR = new Set(['?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);
/** What the general path is needed for, wherever it appears: tabs, CR, control characters, BOM, document markers and directives. */
const OUTSIDE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]|^(?:---|\.\.\.|%)/m;
/** yaml's limit on an implicit key. */
const MAX_KEY = 1024;
const RESOLVE_OPTIONS = { intAsBigInt: false };

interface PlainTag {
  default?: boolean | 'key';
  collection?: unknown;
  test?: RegExp;
  resolve(value: string, onError: (message: string) => void, options: object): unknown;
}
let coreTags: readonly PlainTag[] | undefined;

/** A plain scalar's value as yaml's core schema reads it (the composer's own tag test). */
function plainValue(text: string): unknown {
  coreTags ??= (new Schema({ schema: 'core' }).tags as PlainTag[]).filter((t) => t.default === true && !t.collection && t.test);
  for (const tag of coreTags) {
    if (!(tag.test as RegExp).test(text)) continue;
    let failed = false;
    const res = tag.resolve(text, () => (failed = true), RESOLVE_OPTIONS);
    if (failed) throw GIVE_UP;
    return isScalar(res) ? res.value : res;
  }
  return text;
}

/** A key's name as the document walker spells it (`1:` is "1", `~:` is ""). */
function keyName(v: unknown): string {
  return String(v ?? '');
}

/** The document's value, or undefined when the text is not in the shapes this path handles. */
export function parseYamlFast(source: string, sink: FastSink, offsetsFor: OffsetsFor): { value: unknown } | undefined {
  if (OUTSIDE.test(source)) return undefined;
  const p = new FastYaml(source, sink, offsetsFor);
  try {
    return { value: p.document() };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

interface Token {
  start: number;
  end: number;
  value: unknown;
  kind: ScalarKind;
}

class FastYaml {
  /** Always the start of a line between nodes; within a line while one is read. */
  i = 0;
  private readonly n: number;

  constructor(
    private readonly s: string,
    private readonly sink: FastSink,
    private readonly offsetsFor: OffsetsFor,
  ) {
    this.n = s.length;
  }

  document(): unknown {
    const start = this.nextContent(0);
    if (start === this.n || this.indent(start) !== 0) throw GIVE_UP;
    this.i = start;
    const value = this.isItem(start) ? this.seq(0, 0) : this.map(0, 0);
    if (this.nextContent(this.i) !== this.n) throw GIVE_UP;
    return value;
  }

  // ---- lines ----

  private lineEnd(p: number): number {
    const e = this.s.indexOf('\n', p);
    return e === -1 ? this.n : e;
  }

  /** The start of the line after the one `p` is on. */
  private nextLine(p: number): number {
    const e = this.lineEnd(p);
    return e === this.n ? e : e + 1;
  }

  private indent(lineStart: number): number {
    let k = lineStart;
    while (this.s.charCodeAt(k) === 32) k++;
    return k - lineStart;
  }

  /** From a line start, the start of the next line that holds YAML (blank and comment lines skipped), or the end. */
  private nextContent(p: number): number {
    while (p < this.n) {
      const c = this.s[p + this.indent(p)];
      if (c !== '\n' && c !== '#' && c !== undefined) return p;
      p = this.nextLine(p);
    }
    return this.n;
  }

  /** From a line start, the next line that is not blank: a comment counts. */
  private nextNonBlank(p: number): number {
    while (p < this.n) {
      const c = this.s[p + this.indent(p)];
      if (c !== '\n' && c !== undefined) return p;
      p = this.nextLine(p);
    }
    return this.n;
  }

  /** Whether a sequence item starts at `p` (`-` then a space or the line's end). */
  private isItem(p: number): boolean {
    const c = this.s[p + 1];
    return this.s[p] === '-' && (c === ' ' || c === '\n' || c === undefined);
  }

  /**
   * Ends an inline value at `p`: spaces, an optional comment, the line break. Nothing on the
   * following lines may be indented past `parent` (a continued scalar, or an error).
   */
  private endLine(p: number, parent: number): void {
    const s = this.s;
    const from = p;
    while (s.charCodeAt(p) === 32) p++;
    if (s[p] === '#' && p === from) throw GIVE_UP;
    if (s[p] !== '#' && s[p] !== '\n' && p !== this.n) throw GIVE_UP;
    this.i = this.nextLine(p);
    this.checkOutdented(parent);
  }

  private checkOutdented(parent: number): void {
    const next = this.nextNonBlank(this.i);
    if (next !== this.n && this.indent(next) > parent) throw GIVE_UP;
  }

  // ---- block collections ----

  /** A block mapping whose entries start at column `col`; `this.i` is at its first key. */
  private map(col: number, depth: number): Record<string, unknown> {
    if (depth > LIMITS.maxDepth) throw GIVE_UP;
    const out: Record<string, unknown> = {};
    const keys = this.sink.keys;
    for (;;) {
      const key = this.key(this.i);
      if (!key) throw GIVE_UP;
      const name = keyName(key.value);
      if (Object.prototype.hasOwnProperty.call(out, name)) throw GIVE_UP; // the general path reports it
      keys.push(name);
      this.keyFound(key, name);
      this.i = key.colon + 1;
      setOwn(out, name, this.mapValue(col, depth + 1));
      keys.pop();
      const next = this.nextContent(this.i);
      this.i = next;
      if (next === this.n) return out;
      const ind = this.indent(next);
      if (ind < col) return out;
      if (ind > col || this.isItem(next + ind)) throw GIVE_UP;
      this.i = next + ind;
    }
  }

  /** The value after `key:` of a mapping at column `col`. */
  private mapValue(col: number, depth: number): unknown {
    const s = this.s;
    let p = this.i;
    while (s.charCodeAt(p) === 32) p++;
    if (p === this.n || s[p] === '\n' || s[p] === '#') {
      if (s[p] === '#' && p === this.i) throw GIVE_UP;
      return this.nested(this.nextLine(p), col, depth, true);
    }
    this.i = p;
    return this.inline(col, depth);
  }

  /**
   * A node on the lines after its key or dash (the line start `from`): a mapping or sequence
   * indented past `col` — or, after a key, a sequence at `col` — else an empty value (null).
   */
  private nested(from: number, col: number, depth: number, afterKey: boolean): unknown {
    const next = this.nextContent(from);
    this.i = next;
    if (next === this.n) return null;
    const ind = this.indent(next);
    const at = next + ind;
    if (ind > col || (afterKey && ind === col && this.isItem(at))) {
      this.i = at;
      if (this.isItem(at)) return this.seq(ind, depth);
      return this.map(ind, depth);
    }
    return null;
  }

  /** A block sequence whose dashes are at column `col`; `this.i` is at its first dash. */
  private seq(col: number, depth: number): unknown[] {
    if (depth > LIMITS.maxDepth) throw GIVE_UP;
    const s = this.s;
    const out: unknown[] = [];
    const keys = this.sink.keys;
    for (;;) {
      keys.push(out.length);
      let p = this.i + 1;
      while (s.charCodeAt(p) === 32) p++;
      if (p === this.n || s[p] === '\n' || s[p] === '#') {
        if (s[p] === '#' && p === this.i + 1) throw GIVE_UP;
        out.push(this.nested(this.nextLine(p), col, depth + 1, false));
      } else {
        const at = p - this.lineStart(p);
        this.i = p;
        if (this.isItem(p)) out.push(this.seq(at, depth + 1));
        else if (this.key(p)) out.push(this.map(at, depth + 1));
        else out.push(this.inline(col, depth + 1));
      }
      keys.pop();
      const next = this.nextContent(this.i);
      this.i = next;
      if (next === this.n) return out;
      const ind = this.indent(next);
      if (ind < col) return out;
      if (ind > col) throw GIVE_UP;
      if (!this.isItem(next + ind)) return out; // the mapping this sequence is the value of goes on
      this.i = next + ind;
    }
  }

  private lineStart(p: number): number {
    return this.s.lastIndexOf('\n', p - 1) + 1;
  }

  /** An implicit key at `p` (a plain or one-line quoted scalar, then `:` and a space or the line's end), or undefined. */
  private key(p: number): (Token & { colon: number }) | undefined {
    const s = this.s;
    const c = s[p];
    if (c === '"' || c === "'") {
      const q = this.quoted(p);
      return s[q.end] === ':' && this.separates(q.end + 1) ? { ...q, colon: q.end } : undefined;
    }
    if (c === undefined || c === '-' || c === ' ' || c === '\n' || INDICATOR.has(c)) return undefined;
    for (let q = p; q < this.n; q++) {
      const ch = s[q];
      if (ch === '\n') return undefined;
      if (ch === '#' && s[q - 1] === ' ') return undefined;
      if (ch === ':' && this.separates(q + 1)) {
        let end = q;
        while (s.charCodeAt(end - 1) === 32) end--;
        const text = s.slice(p, end);
        if (q - p > MAX_KEY || /[[\]{},]/.test(text)) throw GIVE_UP;
        return { start: p, end, value: plainValue(text), kind: 'PLAIN', colon: q };
      }
    }
    return undefined;
  }

  private separates(p: number): boolean {
    const c = this.s[p];
    return c === ' ' || c === '\n' || c === undefined;
  }

  private keyFound(key: Token, name: string): void {
    if (typeof key.value === 'string' && (name.includes('$') || name.includes('{'))) {
      this.sink.key(name, this.offsetsFor(key.start, key.end, key.kind, name), [key.start, key.end]);
    }
  }

  private stringFound(t: Token): void {
    if (typeof t.value === 'string') this.sink.string(t.value, this.offsetsFor(t.start, t.end, t.kind, t.value), [t.start, t.end]);
  }

  // ---- values on one line ----

  /** A value that starts on the current line at `this.i`; `parent` is the column of its mapping or sequence. */
  private inline(parent: number, depth: number): unknown {
    const s = this.s;
    const c = s[this.i];
    if (c === '|' || c === '>') return this.block(parent);
    if (c === '"' || c === "'") {
      const t = this.quoted(this.i);
      this.stringFound(t);
      this.endLine(t.end, parent);
      return t.value;
    }
    if (c === '[' || c === '{') {
      const v = this.flow(depth);
      this.endLine(this.i, parent);
      return v;
    }
    if (c === undefined || INDICATOR.has(c) || (c === '-' && !this.plainAfterDash(this.i))) throw GIVE_UP;
    // A plain scalar: to the line's end or a comment, trailing spaces not included.
    const start = this.i;
    const eol = this.lineEnd(start);
    let end = start;
    while (end < eol && !(s.charCodeAt(end) === 35 && s.charCodeAt(end - 1) === 32)) end++;
    while (s.charCodeAt(end - 1) === 32) end--;
    const text = s.slice(start, end);
    if (text.includes(': ') || text.endsWith(':')) throw GIVE_UP;
    const t: Token = { start, end, value: plainValue(text), kind: 'PLAIN' };
    this.stringFound(t);
    this.i = eol === this.n ? eol : eol + 1;
    this.checkOutdented(parent);
    return t.value;
  }

  /** `-x`, `-1`: a dash that starts a plain scalar. */
  private plainAfterDash(p: number): boolean {
    const c = this.s[p + 1];
    return c !== undefined && c !== ' ' && c !== '\n' && c !== '[' && c !== ']' && c !== '{' && c !== '}' && c !== ',';
  }

  /** A single- or double-quoted scalar that ends on its own line. */
  private quoted(p: number): Token {
    const s = this.s;
    const q = s[p];
    let escaped = false;
    let k = p + 1;
    for (;;) {
      const c = s[k];
      if (c === undefined || c === '\n') throw GIVE_UP;
      if (q === '"' && c === '\\') {
        if (s[k + 1] === '\n' || s[k + 1] === undefined) throw GIVE_UP; // an escaped line break continues the scalar
        escaped = true;
        k += 2;
        continue;
      }
      if (c === q) {
        if (q === "'" && s[k + 1] === "'") {
          escaped = true;
          k += 2;
          continue;
        }
        break;
      }
      k++;
    }
    const end = k + 1;
    const kind: ScalarKind = q === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
    if (!escaped) return { start: p, end, value: s.slice(p + 1, k), kind };
    const token: CST.FlowScalar = { type: q === '"' ? 'double-quoted-scalar' : 'single-quoted-scalar', offset: p, indent: 0, source: s.slice(p, end), end: [] };
    return { start: p, end, value: this.resolved(token), kind };
  }

  /** yaml's own reading of a scalar token; any complaint gives up. */
  private resolved(token: CST.FlowScalar | CST.BlockScalar): string {
    let failed = false;
    const r = CST.resolveAsScalar(token, true, () => (failed = true));
    if (failed || !r) throw GIVE_UP;
    return r.value;
  }

  /** A literal or folded block scalar whose header is at `this.i`, in a collection at column `parent`. */
  private block(parent: number): string {
    const s = this.s;
    const start = this.i;
    const header = s[start] as '|' | '>';
    let p = start + 1;
    if (s[p] === '-') p++;
    const head = s.slice(start, p);
    this.endLine(p, Number.MAX_SAFE_INTEGER); // a comment may follow the header; the content is checked below
    const from = this.i;
    // The content: lines indented like its first line that holds text, and blank lines between.
    let contentIndent = -1;
    let last = -1; // the end of the last line with text, past its line break
    for (let line = from; line < this.n; line = this.nextLine(line)) {
      const ind = this.indent(line);
      const c = s[line + ind];
      if (c === '\n' || c === undefined) {
        if (contentIndent === -1 ? ind > 0 : ind > contentIndent) throw GIVE_UP; // a blank line of spaces the content would keep
        continue;
      }
      if (contentIndent === -1) {
        if (ind <= parent) throw GIVE_UP; // an empty block scalar
        contentIndent = ind;
      }
      if (ind < contentIndent) break;
      last = this.lineEnd(line);
      if (last === this.n) throw GIVE_UP; // no line break after the last line
      last++;
    }
    if (last === -1) throw GIVE_UP;
    const token: CST.BlockScalar = {
      type: 'block-scalar',
      offset: start,
      indent: parent,
      props: [
        { type: 'block-scalar-header', offset: start, indent: parent, source: head },
        { type: 'newline', offset: from - 1, indent: parent, source: '\n' },
      ],
      source: s.slice(from, last),
    };
    const value = this.resolved(token);
    const t: Token = { start, end: last, value, kind: header === '|' ? 'BLOCK_LITERAL' : 'BLOCK_FOLDED' };
    this.stringFound(t);
    this.i = last;
    this.checkOutdented(parent);
    return value;
  }

  // ---- flow collections on one line ----

  private spaces(): void {
    while (this.s.charCodeAt(this.i) === 32) this.i++;
  }

  /** A flow collection or scalar at `this.i`; all of it on the current line. */
  private flow(depth: number): unknown {
    if (depth > LIMITS.maxDepth) throw GIVE_UP;
    const s = this.s;
    const c = s[this.i];
    if (c === '[') return this.flowSeq(depth);
    if (c === '{') return this.flowMap(depth);
    const t = this.flowScalar();
    this.stringFound(t);
    return t.value;
  }

  private flowScalar(): Token {
    const s = this.s;
    const start = this.i;
    const c = s[start];
    if (c === '"' || c === "'") {
      const t = this.quoted(start);
      this.i = t.end;
      return t;
    }
    if (c === undefined || INDICATOR.has(c) || (c === '-' && !this.plainAfterDash(start))) throw GIVE_UP;
    let k = start;
    for (;; k++) {
      const ch = s[k];
      if (ch === undefined || ch === '\n') throw GIVE_UP;
      if (ch === ',' || ch === '[' || ch === ']' || ch === '{' || ch === '}') break;
      if (ch === ':' && ' ,[]{}\n'.includes(s[k + 1] ?? '\n')) break;
      if (ch === '#' && s[k - 1] === ' ') throw GIVE_UP;
    }
    let end = k;
    while (s.charCodeAt(end - 1) === 32) end--;
    this.i = k;
    return { start, end, value: plainValue(s.slice(start, end)), kind: 'PLAIN' };
  }

  private flowSeq(depth: number): unknown[] {
    const s = this.s;
    const out: unknown[] = [];
    const keys = this.sink.keys;
    this.i++;
    this.spaces();
    if (s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      keys.push(out.length);
      out.push(this.flow(depth + 1));
      keys.pop();
      this.spaces();
      const c = s[this.i++];
      if (c === ']') return out;
      if (c !== ',') throw GIVE_UP;
      this.spaces();
      if (s[this.i] === ']') throw GIVE_UP; // a trailing comma
    }
  }

  private flowMap(depth: number): Record<string, unknown> {
    const s = this.s;
    const out: Record<string, unknown> = {};
    const keys = this.sink.keys;
    this.i++;
    this.spaces();
    if (s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.flowScalar();
      this.spaces();
      if (s[this.i] !== ':' || s[this.i + 1] !== ' ') throw GIVE_UP;
      this.i += 2;
      this.spaces();
      const c = s[this.i];
      if (c === ',' || c === '}') throw GIVE_UP; // a key without a value
      const name = keyName(key.value);
      if (Object.prototype.hasOwnProperty.call(out, name)) throw GIVE_UP;
      keys.push(name);
      this.keyFound(key, name);
      setOwn(out, name, this.flow(depth + 1));
      keys.pop();
      this.spaces();
      const d = s[this.i++];
      if (d === '}') return out;
      if (d !== ',') throw GIVE_UP;
      this.spaces();
      if (s[this.i] === '}') throw GIVE_UP;
    }
  }
}

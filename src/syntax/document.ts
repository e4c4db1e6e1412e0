/**
 * Loads a JSON or YAML tool definition (eemeli `yaml` reads every document, so JSON positions are
 * exact too; json-fast.ts and yaml-fast.ts read the common shapes in one pass and hand anything
 * else to it), builds its plain value, and compiles every string value that holds references.
 * Every problem of the document is collected in one pass; bounds of SPEC §9 are enforced here.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Alias, type Document, type Node as YamlNode } from 'yaml';
import { clip, type Problem } from '../errors.js';
import { INTERNAL_LIMITS, LIMITS } from '../limits.js';
import { compileString, type CompiledString } from './compile-string.js';
import { checkDialect, type Dialect } from './dialect.js';
import { scanDotenv } from './dotenv.js';
import { compileJulepString } from './julep/compile-julep.js';
import { jsonPointer } from './json-pointer.js';
import { parseJsonFast } from './json-fast.js';
import { LineIndex, locate } from './line-index.js';
import type { Reference } from './reference.js';
import { scalarOffsets, type OffsetMap, type ScalarKind } from './scalar-offsets.js';
import { setOwn } from './set-own.js';
import { parseYamlFast } from './yaml-fast.js';

/** A string value that holds references, compiled. */
export interface Site {
  path: string;
  keys: (string | number)[];
  value: string;
  compiled: CompiledString;
  /** Maps an index in `value` to an offset in the source (source-backed documents only). */
  offsets?: OffsetMap;
}

export interface AnalyzedDocument {
  /** The document's plain value (objects, arrays, scalars); never shared with the caller's input. */
  value: unknown;
  sites: Site[];
  references: Reference[];
  problems: Problem[];
  filename?: string;
  lines?: LineIndex;
  /** With `allOffsets`: offset map of each string value without references, by JSON pointer (sites carry their own). */
  offsets?: ReadonlyMap<string, OffsetMap>;
  /** The dialect the strings were read in. */
  dialect: Dialect;
  /** Problems that do not stop a compile or a render (lint shows them as warnings). */
  warnings: Problem[];
}

export interface AnalyzeOptions {
  filename?: string;
  /** Names of caller-provided variables that expressions and templates may use. */
  vars?: Iterable<string>;
  /** How strings are read: `secretref` (default) or `julep` (grammar/julep.md). */
  dialect?: Dialect;
  /** Record the offset map of every string, not only of those holding references (lint positions findings in plain strings). */
  allOffsets?: boolean;
  /** How the source is written: `yaml` (YAML or JSON, the default) or `dotenv` (an environment file, src/syntax/dotenv.ts). */
  format?: SourceFormat;
}

/** The ways a definition's source text is written; `yaml` covers JSON. */
export const SOURCE_FORMATS = ['yaml', 'dotenv'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

class Analysis {
  readonly sites: Site[] = [];
  readonly references: Reference[] = [];
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];
  readonly keys: (string | number)[] = [];
  readonly offsets = new Map<string, OffsetMap>();
  private refCount = 0;
  private limitHit = new Set<string>();

  private readonly compile: (value: string) => CompiledString | null;

  constructor(
    readonly vars: ReadonlySet<string>,
    readonly dialect: Dialect,
    readonly lines?: LineIndex,
    private readonly allOffsets = false,
  ) {
    this.compile = dialect === 'julep' ? compileJulepString : (value) => compileString(value, vars);
  }

  problem(p: Omit<Problem, 'path' | 'range'> & { at?: [number, number] }): void {
    const { at, ...rest } = p;
    const out: Problem = { ...rest, path: jsonPointer(this.keys) };
    if (at && this.lines) out.offset = at;
    this.problems.push(out);
  }

  limit(name: string, message: string, at?: [number, number]): void {
    if (this.limitHit.has(name)) return;
    this.limitHit.add(name);
    this.problem({ code: 'LIMIT_EXCEEDED', message, ...(at ? { at } : {}) });
  }

  /** Compiles a string value; records its site, references and problems. */
  string(value: string, offsets?: OffsetMap, at?: [number, number]): void {
    if (value.length > LIMITS.maxStringLength) {
      this.problem({ code: 'LIMIT_EXCEEDED', message: `A string is ${value.length} characters; the limit is ${LIMITS.maxStringLength} (maxStringLength).`, ...(at ? { at } : {}) });
      return;
    }
    const compiled = this.compile(value);
    if (!compiled) {
      if (offsets && this.allOffsets) this.offsets.set(jsonPointer(this.keys), offsets);
      return;
    }
    const path = jsonPointer(this.keys);
    const site: Site = { path, keys: this.keys.slice(), value, compiled };
    if (offsets) site.offsets = offsets;
    this.sites.push(site);
    const where = (s: number, e: number) => (offsets ? { offset: [offsets(s), offsets(e)] as [number, number] } : {});
    for (const p of compiled.problems) {
      this.problems.push({ code: p.code, message: p.message, path, ...where(p.start, p.end), ...(p.suggestion ? { suggestion: p.suggestion } : {}) });
    }
    for (const p of compiled.warnings ?? []) {
      this.warnings.push({ code: p.code, message: p.message, path, ...where(p.start, p.end), ...(p.suggestion ? { suggestion: p.suggestion } : {}) });
    }
    for (const r of compiled.refs) {
      if (++this.refCount > LIMITS.maxReferences) {
        this.limit('refs', `The document has more than ${LIMITS.maxReferences} references (maxReferences).`, at);
        break;
      }
      const ctx = contextOf(compiled, r.start);
      const ref: Reference = { name: r.name, form: compiled.form, path, optional: r.optional, context: ctx };
      const w = where(r.start, r.end);
      if (w.offset) ref.offset = w.offset;
      this.references.push(ref);
    }
  }

  /** A mapping key may not hold a reference. */
  key(key: string, offsets?: OffsetMap, at?: [number, number]): void {
    if (!key.includes('$') && !key.includes('{')) return;
    const compiled = this.compile(key);
    // Keys are never rendered, so an escaped `$$secrets.x` or a `{% raw %}` block is just text.
    if (!compiled || (compiled.refs.length === 0 && compiled.problems.length === 0)) return;
    const start = offsets ? offsets(0) : undefined;
    const end = offsets ? offsets(key.length) : undefined;
    this.problem({
      code: 'REFERENCE_IN_KEY',
      message: 'A secret reference in a mapping key is not allowed; put the reference in a value.',
      ...(start !== undefined && end !== undefined ? { at: [start, end] as [number, number] } : at ? { at } : {}),
    });
  }
}

function contextOf(c: CompiledString, start: number): 'text' | 'userinfo' {
  if (c.program.kind !== 'segments') return 'text';
  for (const s of c.program.segments) {
    if (s.type === 'output' && s.context === 'userinfo' && s.start <= start && start < s.end) return 'userinfo';
  }
  return 'text';
}

export { setOwn };

/** The general path alone, for tests that compare it with the fast paths (json-fast.ts, yaml-fast.ts). */
interface FastPaths {
  fastJson?: boolean;
  fastYaml?: boolean;
}

/**
 * Analyses source text (JSON or YAML). Never throws for bad input: problems are returned.
 * Problems and references carry 1-based ranges (computed from their offsets, see `locate`).
 */
export function analyzeSource(source: string, options: AnalyzeOptions & FastPaths = {}): AnalyzedDocument {
  const doc = analyze(source, options);
  const lines = doc.lines as LineIndex;
  return { ...doc, problems: locate(doc.problems, lines), warnings: locate(doc.warnings, lines), references: locate(doc.references, lines) };
}

/** `analyzeSource` with positions as source offsets only (the pipeline's own currency). */
export function analyze(source: string, options: AnalyzeOptions & FastPaths = {}): AnalyzedDocument {
  const lines = new LineIndex(source);
  const vars = new Set(options.vars ?? []);
  const dialect = checkDialect(options.dialect);
  let a = new Analysis(vars, dialect, lines, options.allOffsets === true);
  const base = (value: unknown): AnalyzedDocument => {
    const out: AnalyzedDocument = { value, sites: a.sites, references: a.references, problems: a.problems, lines, offsets: a.offsets, dialect, warnings: a.warnings };
    if (options.filename !== undefined) out.filename = options.filename;
    return out;
  };
  if (source.length > LIMITS.maxDocumentBytes) {
    a.problem({ code: 'LIMIT_EXCEEDED', message: `The document is ${source.length} characters; the limit is ${LIMITS.maxDocumentBytes} (maxDocumentBytes).`, at: [0, 0] });
    return base(undefined);
  }
  if (options.format === 'dotenv') return base(dotenvValue(source, a));
  // The common shapes of JSON and of block YAML are read in one pass; a fast path gives up on
  // anything else, and the general path below starts over and reports why.
  const json = startsLikeJson(source);
  const fast = json
    ? options.fastJson !== false ? parseJsonFast(source, a, (st, e, v) => lazyOffsets(source, st, e, 'QUOTE_DOUBLE', v)) : undefined
    : options.fastYaml !== false ? parseYamlFast(source, a, (st, e, kind, v) => lazyOffsets(source, st, e, kind, v)) : undefined;
  if (fast) return base(fast.value);
  a = new Analysis(vars, dialect, lines, options.allOffsets === true);
  if (jsonDepthExceeds(source, LIMITS.maxDepth)) {
    a.problem({ code: 'LIMIT_EXCEEDED', message: `The document nests deeper than ${LIMITS.maxDepth} levels (maxDepth).`, at: [0, 0] });
    return base(undefined);
  }
  let doc: Document.Parsed;
  try {
    // uniqueKeys is checked by the walker: yaml's own check compares every pair (quadratic).
    doc = parseDocument(source, { uniqueKeys: false, prettyErrors: false, strict: true, version: '1.2', keepSourceTokens: false });
  } catch (e) {
    const message = e instanceof RangeError ? `The document nests too deeply to parse (maxDepth ${LIMITS.maxDepth}).` : 'The document could not be parsed.';
    a.problem({ code: e instanceof RangeError ? 'LIMIT_EXCEEDED' : 'INVALID_INPUT', message, at: [0, 0] });
    return base(undefined);
  }
  if (doc.errors.length > 0) {
    for (const err of doc.errors.slice(0, INTERNAL_LIMITS.yamlErrorsShown)) {
      if (/call stack/i.test(err.message)) {
        a.limit('depth', `The document nests too deeply to parse (maxDepth ${LIMITS.maxDepth}).`, [0, 0]);
        continue;
      }
      // yaml reports an unexpected end just past the text; point at the last character instead.
      const start = Math.max(0, Math.min(err.pos[0], source.length - 1));
      const end = Math.min(source.length, Math.max(start + 1, err.pos[1]));
      a.problem({ code: 'INVALID_INPUT', message: `Not valid YAML/JSON: ${firstLine(err.message)}`, at: [start, end] });
    }
    return base(undefined);
  }
  // Bound what aliases expand to before expanding anything (a few aliases of a huge anchor).
  // An alias is written `*name`: a document without `*` has none, and skips both passes.
  const targets = source.includes('*') ? aliasTargets(doc) : NO_ALIASES;
  const over = targets.size > 0 ? aliasExpansionOver(doc, targets) : undefined;
  if (over) {
    a.problem({ code: 'LIMIT_EXCEEDED', message: `The document's YAML aliases expand to ${over.what}.`, at: over.at });
    return base(undefined);
  }
  const walker = new SourceWalker(source, targets, a);
  const value = walker.node(doc.contents as YamlNode | null, 0);
  return base(value);
}

/** An environment file's entries as a flat mapping, each value compiled like any string of a definition. */
function dotenvValue(source: string, a: Analysis): Record<string, unknown> | undefined {
  const scan = scanDotenv(source);
  for (const p of scan.problems) a.problem({ code: 'INVALID_INPUT', message: `Not a valid environment file: ${p.message}`, at: p.at });
  if (scan.problems.length > 0) return undefined;
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const e of scan.entries) {
    a.keys.push(e.key);
    if (seen.has(e.key)) a.problem({ code: 'INVALID_INPUT', message: `Duplicate key "${clip(e.key)}": each variable may be set once.`, at: [e.keyStart, e.keyEnd] });
    else {
      seen.add(e.key);
      const map = e.map;
      a.string(e.value, (i) => map[Math.max(0, Math.min(i, e.value.length))] as number, [e.start, e.end]);
      setOwn(out, e.key, e.value);
    }
    a.keys.pop();
  }
  return out;
}

class SourceWalker {
  private aliases = 0;
  constructor(
    private readonly source: string,
    private readonly targets: ReadonlyMap<Alias, YamlNode>,
    private readonly a: Analysis,
  ) {}

  node(n: YamlNode | null, depth: number): unknown {
    if (n === null || n === undefined) return null;
    if (depth > LIMITS.maxDepth) {
      this.a.limit('depth', `The document nests deeper than ${LIMITS.maxDepth} levels (maxDepth).`, rangeOf(n));
      return null;
    }
    if (isAlias(n)) {
      if (++this.aliases > LIMITS.maxAliasCount) {
        this.a.limit('alias', `The document expands more than ${LIMITS.maxAliasCount} YAML aliases (maxAliasCount).`, rangeOf(n));
        return null;
      }
      const target = this.targets.get(n);
      if (!target) {
        const name = clip(n.source);
        this.a.problem({ code: 'INVALID_INPUT', message: `Unresolved YAML alias *${name}: define the anchor &${name} before the alias.`, at: rangeOf(n) ?? [0, 0] });
        return null;
      }
      return this.node(target, depth);
    }
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'string') {
        const [s, e] = n.range ?? [0, 0];
        const kind = n.type as ScalarKind | undefined;
        this.a.string(v, lazyOffsets(this.source, s, e, kind, v), [s, e]);
      }
      return v;
    }
    if (isMap(n)) {
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = pair.key as YamlNode | null;
        let key: string;
        if (k === null || k === undefined) key = '';
        else if (isScalar(k)) key = String(k.value ?? '');
        else {
          this.a.problem({ code: 'INVALID_INPUT', message: 'Only scalar mapping keys are supported.', at: rangeOf(k) ?? [0, 0] });
          continue;
        }
        this.a.keys.push(key);
        if (seen.has(key)) {
          // Also catches `1:` next to `"1":`, which collide once the value is plain JSON.
          this.a.problem({ code: 'INVALID_INPUT', message: `Duplicate key "${clip(key)}": keys of a mapping must be unique.`, at: (k && rangeOf(k)) ?? [0, 0] });
          this.a.keys.pop();
          continue;
        }
        seen.add(key);
        // A key can hold a reference only with `$` or `{` in it (Analysis.key checks no other).
        if (k && isScalar(k) && typeof k.value === 'string' && (key.includes('$') || key.includes('{'))) {
          const [s, e] = k.range ?? [0, 0];
          this.a.key(key, lazyOffsets(this.source, s, e, k.type as ScalarKind | undefined, key), [s, e]);
        }
        setOwn(out, key, this.node(pair.value as YamlNode | null, depth + 1));
        this.a.keys.pop();
      }
      return out;
    }
    if (isSeq(n)) {
      const out: unknown[] = [];
      n.items.forEach((item, i) => {
        this.a.keys.push(i);
        out.push(this.node(item as YamlNode | null, depth + 1));
        this.a.keys.pop();
      });
      return out;
    }
    return null;
  }
}

interface Size {
  nodes: number;
  bytes: number;
}
const UNBOUNDED: Size = { nodes: Infinity, bytes: Infinity };

/**
 * Where the document's aliases, once expanded, first add more than the bounds allow: nodes past
 * maxAliasExpansion or characters past maxDocumentBytes (undefined when they stay within). Each
 * anchored node is measured once (memoised), so this is linear in the written document; an alias
 * to its own ancestor counts as unbounded.
 */
function aliasExpansionOver(doc: Document.Parsed, targets: ReadonlyMap<Alias, YamlNode>): { what: string; at: [number, number] } | undefined {
  const memo = new Map<YamlNode, Size>();
  const busy = new Set<YamlNode>();
  const sizeOf = (n: YamlNode | null | undefined, depth: number): Size => {
    if (n === null || n === undefined || depth > LIMITS.maxDepth) return { nodes: 1, bytes: 0 };
    if (isAlias(n)) {
      const target = targets.get(n);
      if (!target) return { nodes: 1, bytes: 0 };
      const hit = memo.get(target);
      if (hit) return hit;
      if (busy.has(target)) return UNBOUNDED;
      busy.add(target);
      const size = sizeOf(target, depth);
      busy.delete(target);
      memo.set(target, size);
      return size;
    }
    if (isScalar(n)) return { nodes: 1, bytes: typeof n.value === 'string' ? n.value.length : 0 };
    const out = { nodes: 1, bytes: 0 };
    const add = (c: unknown): void => {
      const s = sizeOf(c as YamlNode | null, depth + 1);
      out.nodes += s.nodes;
      out.bytes += s.bytes;
    };
    if (isMap(n)) for (const pair of n.items) { add(pair.key); add(pair.value); }
    else if (isSeq(n)) for (const item of n.items) add(item);
    return out;
  };
  // The written document in order; each alias adds what its target expands to.
  let nodes = 0;
  let bytes = 0;
  let found: { what: string; at: [number, number] } | undefined;
  visit(doc, {
    Alias(_key, node) {
      const s = sizeOf(node, 0);
      nodes += s.nodes;
      bytes += s.bytes;
      const what = nodes > LIMITS.maxAliasExpansion ? `more than ${LIMITS.maxAliasExpansion} nodes (maxAliasExpansion)` : bytes > LIMITS.maxDocumentBytes ? `more than ${LIMITS.maxDocumentBytes} characters (maxDocumentBytes)` : undefined;
      if (what === undefined) return undefined;
      found = { what, at: rangeOf(node) ?? [0, 0] };
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * The node each alias stands for: the last node anchored with its name before it, in document
 * order. One pass: yaml's own `Alias.resolve` searches the whole document on every call, which
 * made 999 aliases of a 300,000-item sequence take minutes.
 */
const NO_ALIASES: ReadonlyMap<Alias, YamlNode> = new Map();

function aliasTargets(doc: Document.Parsed): Map<Alias, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const out = new Map<Alias, YamlNode>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) out.set(node, target);
      return undefined;
    }
    const anchor = node === null || typeof node !== 'object' ? undefined : (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as YamlNode);
    return undefined;
  });
  return out;
}

/** The offset map is built only when a reference or problem inside the string is reported. */
function lazyOffsets(source: string, s: number, e: number, kind: ScalarKind | undefined, v: string): OffsetMap {
  let map: OffsetMap | undefined;
  return (i) => (map ??= scalarOffsets(source, s, e, kind, v))(i);
}

function rangeOf(n: YamlNode): [number, number] | undefined {
  const r = n.range;
  return r ? [r[0], r[1]] : undefined;
}

function startsLikeJson(source: string): boolean {
  const first = /\S/.exec(source)?.[0];
  return first === '{' || first === '[';
}

/** A fast pre-check for JSON-style documents, before the parser recurses into them. */
function jsonDepthExceeds(source: string, max: number): boolean {
  const first = /\S/.exec(source)?.[0];
  const json = first === '{' || first === '[';
  // YAML quoting cannot be followed exactly by a cheap scan (an apostrophe inside a plain scalar
  // is text), so YAML skips only quoted scalars that start where a scalar may start, and counts
  // the rest against a looser bound: 100,000-deep flow nesting is refused before the parser
  // spends seconds on it. Depths between the two bounds are caught by the walker.
  const bound = json ? max : max * 4;
  let depth = 0;
  let prev = 10; // the last character that is not a space or tab
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    const startsScalar = json || prev === 10 || prev === 58 || prev === 91 || prev === 123 || prev === 44 || prev === 45;
    if (c === 34 /* " */ && startsScalar) {
      for (i++; i < source.length && source.charCodeAt(i) !== 34; i++) if (source.charCodeAt(i) === 92) i++;
    } else if (c === 39 /* ' */ && startsScalar && !json) {
      for (i++; i < source.length; i++) {
        if (source.charCodeAt(i) !== 39) continue;
        if (source.charCodeAt(i + 1) === 39) i++;
        else break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > bound) return true;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
    if (c !== 32 && c !== 9) prev = c;
  }
  return false;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** Analyses a plain JS value (a definition object). Positions are absent; paths are exact. */
export function analyzeValue(input: unknown, options: AnalyzeOptions = {}): AnalyzedDocument {
  const dialect = checkDialect(options.dialect);
  const a = new Analysis(new Set(options.vars ?? []), dialect);
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      a.string(v);
      return v;
    }
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') {
        a.problem({ code: 'INVALID_INPUT', message: `A definition holds only JSON values; found a ${typeof v}.` });
        return null;
      }
      return v;
    }
    if (depth > LIMITS.maxDepth) {
      a.limit('depth', `The definition nests deeper than ${LIMITS.maxDepth} levels (maxDepth).`);
      return null;
    }
    if (seen.has(v)) {
      a.problem({ code: 'INVALID_INPUT', message: 'The definition contains a cycle.' });
      return null;
    }
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      out = v.map((item, i) => {
        a.keys.push(i);
        const r = walk(item, depth + 1);
        a.keys.pop();
        return r;
      });
    } else {
      const o: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        a.keys.push(key);
        a.key(key);
        setOwn(o, key, walk((v as Record<string, unknown>)[key], depth + 1));
        a.keys.pop();
      }
      out = o;
    }
    seen.delete(v);
    return out;
  };
  const value = walk(input, 0);
  const out: AnalyzedDocument = { value, sites: a.sites, references: a.references, problems: a.problems, dialect, warnings: a.warnings };
  if (options.filename !== undefined) out.filename = options.filename;
  return out;
}

/**
 * What every rule needs to know about one analysed document: its string values with their paths,
 * the compiled site of each string that holds references, which tool a value belongs to, and a
 * way to turn indices inside a string into source ranges.
 */
import type { Range } from '../errors.js';
import type { AnalyzedDocument, Site } from '../syntax/document.js';
import { jsonPointer } from '../syntax/json-pointer.js';
import type { Diagnostic } from './diagnostic.js';
import { Locator } from './locate.js';
import { LINT_RULES, type LintCode, type Severity } from './rules.js';

export type Keys = readonly (string | number)[];

/** One string value of the document. */
export interface StringValue {
  value: string;
  keys: Keys;
  /** Set when the string holds references (or reference problems). */
  site?: Site;
}

/** A finding inside one string value, before it is positioned. */
export interface LocalFinding {
  code: LintCode;
  message: string;
  /** Indices into the string value. */
  start: number;
  end: number;
  severity?: Severity;
  suggestion?: string;
  name?: string;
}

export class LintContext {
  readonly sitesByPath = new Map<string, Site>();
  private readonly locator: Locator;

  constructor(
    readonly source: string | undefined,
    readonly doc: AnalyzedDocument,
    readonly file: string | undefined,
  ) {
    for (const s of doc.sites) this.sitesByPath.set(s.path, s);
    this.locator = new Locator(source, doc);
  }

  /** Calls `visit` for every string value (keys are a live stack: copy to keep). */
  forEachString(visit: (s: StringValue) => void): void {
    const keys: (string | number)[] = [];
    const sites = this.sitesByPath;
    const hasSites = sites.size > 0;
    const walk = (v: unknown, depth: number): void => {
      if (typeof v === 'string') {
        // Only a string that can hold a reference is a site: skip the pointer for the rest.
        const site = hasSites && (v.includes('$') || v.includes('{')) ? sites.get(jsonPointer(keys)) : undefined;
        visit(site ? { value: v, keys, site } : { value: v, keys });
        return;
      }
      if (v === null || typeof v !== 'object' || depth > 300) return;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          keys.push(i);
          walk(v[i], depth + 1);
          keys.pop();
        }
        return;
      }
      for (const k of Object.keys(v)) {
        keys.push(k);
        walk((v as Record<string, unknown>)[k], depth + 1);
        keys.pop();
      }
    };
    walk(this.doc.value, 0);
  }

  /** Source range of `[start, end)` inside the string value `s`. */
  rangeIn(s: StringValue, start: number, end: number): Range {
    return this.locator.range(s.keys, s.site?.path ?? jsonPointer(s.keys), s.value, start, end, s.site);
  }

  /** A positioned diagnostic for a finding inside `s`. */
  diagnostic(s: StringValue, f: LocalFinding): Diagnostic {
    const d: Diagnostic = {
      code: f.code,
      severity: f.severity ?? LINT_RULES[f.code].severity,
      message: f.message,
      path: s.site?.path ?? jsonPointer(s.keys),
      range: this.rangeIn(s, f.start, f.end),
    };
    if (f.suggestion !== undefined) d.suggestion = f.suggestion;
    if (f.name !== undefined) d.name = f.name;
    if (this.file !== undefined) d.file = this.file;
    return d;
  }

  /** The value at `keys`, or undefined. */
  valueAt(keys: Keys): unknown {
    let cur: unknown = this.doc.value;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return undefined;
      if (!Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
      cur = (cur as Record<string | number, unknown>)[k];
    }
    return cur;
  }

  /**
   * How many leading keys of `keys` address the tool definition the value belongs to: the
   * document itself, an item of a top-level array, or an item of a `tools`/`functions` array.
   */
  toolRootLength(keys: Keys): number {
    let root = 0;
    for (let i = 1; i <= keys.length; i++) {
      if (typeof keys[i - 1] !== 'number') continue;
      const parent = keys[i - 2];
      if (i === 1 || parent === 'tools' || parent === 'functions') root = i;
    }
    return root;
  }

  /** The `name` of the tool definition holding `keys`, when it is a string. */
  toolName(keys: Keys): string | undefined {
    const root = this.valueAt(keys.slice(0, this.toolRootLength(keys)));
    if (root === null || typeof root !== 'object' || Array.isArray(root)) return undefined;
    const name = (root as Record<string, unknown>).name;
    return typeof name === 'string' ? name : undefined;
  }
}

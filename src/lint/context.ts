/**
 * What every rule needs to know about one analysed document: its string values with their paths,
 * the compiled site of each string that holds references, where each value goes (src/policy), and
 * the source offsets of text inside any string (recorded at parse time: no second parse).
 */
import { Destinations } from '../policy/destination.js';
import type { AnalyzedDocument, Site } from '../syntax/document.js';
import type { Finding } from '../syntax/finding.js';
import { jsonPointer } from '../syntax/json-pointer.js';
import { LIMITS } from '../limits.js';
import type { Diagnostic } from './diagnostic.js';
import { LINT_RULES, type LintCode } from './rules.js';

export type Keys = readonly (string | number)[];

/** One string value of the document. */
export interface StringValue {
  value: string;
  keys: Keys;
  /** Set when the string holds references (or reference problems). */
  site?: Site;
}

/**
 * A finding inside one string value, before it is positioned. `evidence` stands for the offending
 * text in the finding's fingerprint when that text must not be hashed (a pasted credential: its
 * masked form).
 */
export type LocalFinding = Finding<LintCode> & { evidence?: string };

/** What a diagnostic's fingerprint is computed from, when it is not the offending source text. */
export const EVIDENCE = new WeakMap<Diagnostic, string>();

export class LintContext {
  readonly sitesByPath = new Map<string, Site>();
  readonly destinations: Destinations;

  constructor(
    readonly doc: AnalyzedDocument,
    readonly file: string | undefined,
  ) {
    for (const s of doc.sites) this.sitesByPath.set(s.path, s);
    this.destinations = new Destinations(doc.value, doc.sites);
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
      if (v === null || typeof v !== 'object' || depth > LIMITS.maxDepth) return;
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

  /** Source offsets of `[start, end)` inside the string value `s`, when the document has a source. */
  offsetIn(s: StringValue, start: number, end: number): [number, number] | undefined {
    const map = s.site?.offsets ?? this.doc.offsets?.get(jsonPointer(s.keys));
    return map ? [map(start), map(end)] : undefined;
  }

  /** A diagnostic for a finding inside `s` (positioned by source offsets; ranges come at the edge). */
  diagnostic(s: StringValue, f: LocalFinding): Diagnostic {
    const d = this.at(s.site?.path ?? jsonPointer(s.keys), f.code, f.message, this.offsetIn(s, f.start, f.end), f.severity);
    if (f.suggestion !== undefined) d.suggestion = f.suggestion;
    if (f.name !== undefined) d.name = f.name;
    if (f.evidence !== undefined) EVIDENCE.set(d, f.evidence);
    return d;
  }

  /** A diagnostic at `path` (and source offsets, when known). */
  at(path: string, code: LintCode, message: string, offset: [number, number] | undefined, severity = LINT_RULES[code].severity): Diagnostic {
    const d: Diagnostic = { code, severity, message, path, range: UNPLACED };
    if (offset) d.offset = offset;
    if (this.file !== undefined) d.file = this.file;
    return d;
  }

  /** The `name` of the tool definition holding `keys`, when it is a plain string. */
  toolName(keys: Keys): string | undefined {
    return this.destinations.toolOf(keys);
  }

  /** Leading keys of `keys` that address its tool definition (see Destinations). */
  toolRootLength(keys: Keys): number {
    return this.destinations.toolRootLength(keys);
  }

  /** The value at `keys`, or undefined. */
  valueAt(keys: Keys): unknown {
    return this.destinations.valueAt(keys);
  }
}

/** Placeholder until `lint()` computes every range from its offset at the edge. */
const UNPLACED = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

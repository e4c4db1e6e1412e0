/**
 * `compileDefinition(doc)`: a checked, analysed definition becomes plain data — the names and
 * references, every string site turned into closures, the document into a clone plan, and where
 * each name's value goes. Rendering reads this record; it never calls back into this file.
 */
import { SecretrefError, type Problem } from '../errors.js';
import type { Dialect } from '../syntax/dialect.js';
import { INTERNAL_LIMITS } from '../limits.js';
import { Destinations, type Destination } from '../policy/destination.js';
import { analyze, analyzeValue, type AnalyzedDocument, type Site } from '../syntax/document.js';
import { locate, type LineIndex } from '../syntax/line-index.js';
import type { Reference } from '../syntax/reference.js';
import { addSite, buildPlan, type Builder, type SiteTrie } from './build-plan.js';
import { compileSegments, compileValue } from './evaluate.js';
import { compileJulep } from './evaluate-julep.js';
import type { CompileOptions } from './types.js';

/** A compiled definition: immutable data, shared by every render of it. */
export interface Compiled {
  readonly references: readonly Reference[];
  /** Distinct names, in order of first appearance; values are indexed by position here. */
  readonly names: readonly string[];
  readonly sites: readonly Site[];
  /** Builds the rendered value from one render's state. */
  readonly root: Builder;
  /** Where each name's value goes, by the definition's own tools. */
  readonly destinations: ReadonlyMap<string, readonly Destination[]>;
  /** For a render that names its tool (`render(…, { tool })`). */
  readonly destinationsFor: (tool: string) => ReadonlyMap<string, readonly Destination[]>;
  readonly varNames: readonly string[];
  readonly lines: LineIndex | undefined;
  readonly filename: string | undefined;
  readonly dialect: Dialect;
  /** Problems that do not stop a render (located). */
  readonly warnings: readonly Problem[];
}

/** Compiles an analysed document without problems. */
export function compileDefinition(doc: AnalyzedDocument, varNames: readonly string[]): Compiled {
  const names = [...new Set(doc.references.map((r) => r.name))];
  const nameIndex = new Map(names.map((n, i) => [n, i]));
  const trie: SiteTrie = {};
  doc.sites.forEach((s, site) => {
    const env = { site, nameIndex };
    const p = s.compiled.program;
    addSite(trie, s.keys, p.kind === 'value' ? compileValue(p.expr, env) : p.kind === 'julep' ? compileJulep(p.value, p.scan, env) : compileSegments(p.segments, env));
  });
  const where = new Destinations(doc.value, doc.sites);
  const byTool = new Map<string, ReadonlyMap<string, readonly Destination[]>>();
  return Object.freeze({
    references: deepFreeze(locate(doc.references, doc.lines)),
    names: Object.freeze(names),
    sites: doc.sites,
    root: buildPlan(doc.value, trie),
    destinations: where.byName(doc.sites),
    destinationsFor(tool: string) {
      let d = byTool.get(tool);
      if (!d) {
        if (byTool.size >= INTERNAL_LIMITS.renderCacheVariants) byTool.clear();
        byTool.set(tool, (d = where.byName(doc.sites, tool)));
      }
      return d;
    },
    varNames,
    lines: doc.lines,
    filename: doc.filename,
    dialect: doc.dialect,
    warnings: deepFreeze(locate(doc.warnings, doc.lines)),
  });
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Analyses and checks a definition without caching; throws one error with every problem. */
export function compileUncached(definition: unknown, options: CompileOptions = {}): Compiled {
  const vars = options.vars ?? [];
  const analyzeOptions = { vars, ...(options.filename !== undefined ? { filename: options.filename } : {}), ...(options.dialect !== undefined ? { dialect: options.dialect } : {}), ...(options.format !== undefined ? { format: options.format } : {}) };
  const doc = typeof definition === 'string' ? analyze(definition, analyzeOptions) : analyzeValue(definition, analyzeOptions);
  if (doc.problems.length > 0) throw SecretrefError.fromProblems(doc.problems, options.filename, doc.lines);
  return compileDefinition(doc, vars);
}

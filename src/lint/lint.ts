/**
 * `lint(source, options)`: every diagnostic of one JSON/YAML document in one pass, sorted by
 * position. The document is parsed once by the syntax layer; the offline rules walk its value
 * and compiled sites, and the store rules (when a store is given) add one batched lookup.
 */
import type { Problem } from '../errors.js';
import type { ScopedStore, Store } from '../store/types.js';
import type { Dialect } from '../syntax/dialect.js';
import { analyze, type AnalyzedDocument, type SourceFormat } from '../syntax/document.js';
import { EVIDENCE, LintContext, type StringValue } from './context.js';
import { compareDiagnostics, DOCUMENT_START, type Diagnostic } from './diagnostic.js';
import { modelField } from './leaks.js';
import { fingerprintOf } from './fingerprint.js';
import { applyIgnoreComments } from './ignore-comments.js';
import { findLookalikes } from './looks-like.js';
import { findPasted } from './pasted.js';
import { isLintCode, LINT_RULES } from './rules.js';
import { storeDiagnostics } from './store-rules.js';
import { snake } from './credentials.js';

/** Options of {@link lint}. */
export interface LintOptions {
  /** Shown in diagnostics (`file`) and reports. */
  filename?: string;
  /** Enables the store rules (existence, expiry, policy, environment). */
  store?: Store | ScopedStore;
  /** Developer whose secrets are checked. Default: the all-zero UUID (single-tenant). */
  developerId?: string;
  /** The clock for expiry checks. Default: now. */
  now?: Date | number;
  /** SECRET_EXPIRING warns this many days ahead. Default 14. */
  expiringWithinDays?: number;
  /** With a store: report which concrete secret (`ENV_NAME` or `NAME`) each reference resolves to. */
  environment?: string;
  /** Variables the caller passes to `render` (so they are not UNKNOWN_VARIABLE). */
  vars?: Iterable<string>;
  /** The tool the definition is rendered for, when it has no top-level `name` (policy checks). */
  tool?: string;
  /** How strings are read: `secretref` (default) or `julep` (grammar/julep.md). */
  dialect?: Dialect;
  /** How the source is written: `yaml` (YAML or JSON, default) or `dotenv` (an environment file). */
  format?: SourceFormat;
  /**
   * Honour `# secretref-ignore CODE` comments (ignore-comments.ts): the findings they accept are
   * returned marked with `suppression`. Default true; false reports them as findings.
   */
  ignoreComments?: boolean;
}

/**
 * Every problem of one tool definition (JSON or YAML source): syntax, unsafe and dynamic
 * references, style, look-alike references, secrets in model-visible fields, pasted credentials
 * and, with a store, existence, expiry and usage policy. Never throws for a bad document (its
 * problems are diagnostics); rejects only when the store fails (STORE_UNAVAILABLE).
 */
export async function lint(source: string, options: LintOptions = {}): Promise<Diagnostic[]> {
  if (typeof source !== 'string') {
    const d: Diagnostic = { code: 'INVALID_INPUT', severity: 'error', message: 'lint takes the source text of a JSON or YAML document.', path: '', range: DOCUMENT_START };
    if (options.filename !== undefined) d.file = options.filename;
    return [d];
  }
  const doc = analyze(source, {
    ...(options.filename !== undefined ? { filename: options.filename } : {}),
    ...(options.vars !== undefined ? { vars: options.vars } : {}),
    ...(options.dialect !== undefined ? { dialect: options.dialect } : {}),
    ...(options.format !== undefined ? { format: options.format } : {}),
    allOffsets: true,
  });
  const ctx = new LintContext(doc, options.filename);
  const out = offlineDiagnostics(ctx);
  if (options.store && doc.value !== undefined) {
    const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
    out.push(
      ...(await storeDiagnostics(ctx, {
        store: options.store,
        now,
        expiringWithinDays: options.expiringWithinDays ?? 14,
        ...(options.developerId !== undefined ? { developerId: options.developerId } : {}),
        ...(options.environment !== undefined ? { environment: options.environment } : {}),
        ...(options.tool !== undefined ? { tool: options.tool } : {}),
      })),
    );
  }
  // Positions become lines and columns here, at the edge, and nowhere before.
  const lines = doc.lines;
  const credentials = out.filter((d) => d.code === 'PASTED_CREDENTIAL' && d.offset).map((d) => d.offset as [number, number]);
  for (const d of out) {
    if (d.offset && lines) d.range = lines.range(d.offset[0], d.offset[1]);
    // The offending text identifies the finding, unless a pasted credential is part of it.
    const [a, b] = d.offset ?? [0, 0];
    const text = d.offset && !credentials.some(([x, y]) => x < b && a < y) ? source.slice(a, b) : d.message;
    d.fingerprint = fingerprintOf(d, EVIDENCE.get(d) ?? text);
  }
  if (options.ignoreComments !== false) applyIgnoreComments(out, source);
  return out.sort(compareDiagnostics);
}

/** The rules that need nothing but the document. */
export function offlineDiagnostics(ctx: LintContext): Diagnostic[] {
  const doc: AnalyzedDocument = ctx.doc;
  const out: Diagnostic[] = doc.problems.map((p) => fromProblem(p, ctx.file));
  if (doc.value === undefined) return out; // unparsable: the parse problems say it all
  for (const w of doc.warnings) {
    const d = fromProblem(w, ctx.file);
    d.severity = 'warning';
    out.push(d);
  }
  const julep = doc.dialect === 'julep';

  // Secrets in model-visible fields, and name style (once per name).
  const styled = new Set<string>();
  for (const r of doc.references) {
    const site = ctx.sitesByPath.get(r.path);
    const field = site ? modelField(ctx, site.keys) : undefined;
    if (field !== undefined) {
      const d = ctx.at(r.path, 'SECRET_IN_MODEL_FIELD', `secrets.${r.name} is in "${field}", which is sent to the model, so the model would see the secret; move the reference to a field used only when the tool runs (url, headers, body).`, r.offset);
      d.name = r.name;
      out.push(d);
    }
    if (!styled.has(r.name) && !isStyled(r.name)) {
      styled.add(r.name);
      const better = snake(r.name);
      const d = ctx.at(r.path, 'NAME_STYLE', `Secret name "${r.name}" is not snake_case; prefer "${better}" (ALL_CAPS_SNAKE such as OPENAI_API_KEY is fine for provider keys).`, r.offset);
      d.suggestion = better;
      d.name = r.name;
      out.push(d);
    }
  }

  // Look-alike references and pasted credentials, in every string value.
  ctx.forEachString((s) => {
    const skip = skipper(s);
    // Julep's own scan reports text Julep leaves literal (`$secrets.x`), in Julep's syntax.
    if (!julep) for (const f of findLookalikes(s.value, skip)) out.push(ctx.diagnostic(s, f));
    for (const f of findPasted(ctx, s, skip)) out.push(ctx.diagnostic(s, f));
  });
  return out;
}

/** Spans of a string that are real references or already-reported problems. */
function skipper(s: StringValue): (start: number, end: number) => boolean {
  const c = s.site?.compiled;
  if (!c) return () => false;
  const spans = [...c.refs, ...c.problems];
  return (start, end) => spans.some((x) => x.start < end && start < x.end);
}

function isStyled(name: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(name) || /^[A-Z][A-Z0-9_]*$/.test(name);
}

function fromProblem(p: Problem, file: string | undefined): Diagnostic {
  const code = isLintCode(p.code) ? p.code : 'INVALID_INPUT';
  const d: Diagnostic = { code, severity: LINT_RULES[code].severity, message: p.message, path: p.path ?? '', range: p.range ?? DOCUMENT_START };
  if (p.offset !== undefined) d.offset = p.offset;
  if (p.suggestion !== undefined) d.suggestion = p.suggestion;
  if (p.name !== undefined) d.name = p.name;
  return withFile(d, file);
}

function withFile(d: Diagnostic, file: string | undefined): Diagnostic {
  if (file !== undefined) d.file = file;
  return d;
}

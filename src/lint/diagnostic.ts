/**
 * A lint finding is data: a stable code, a severity, a message that says what to do, the JSON
 * pointer and 1-based source range of the offending text. Never a secret value.
 */
import type { Range } from '../errors.js';
import type { LintCode, Severity } from './rules.js';

/** One lint finding. */
export interface Diagnostic {
  code: LintCode;
  severity: Severity;
  /** What is wrong and the one-line fix. Never contains a secret value or a pasted credential. */
  message: string;
  /** JSON pointer of the value concerned (`''` for the whole document). */
  path: string;
  /** 1-based range of the offending text; `end` is exclusive. */
  range: Range;
  /** 0-based [start, end) source offsets of the offending text (what `range` is computed from). */
  offset?: [number, number];
  /** A concrete fix: the name or reference to write instead. */
  suggestion?: string;
  /** The secret name concerned, when there is one (as written in the definition). */
  name?: string;
  /** The file the diagnostic belongs to (`lint`'s `filename`); lets one report cover many files. */
  file?: string;
  /**
   * Identifies the finding across runs, whatever line it moves to: a hash of its code, pointer and
   * offending text (for a pasted credential, of its masked form: never of the value). Baselines
   * and SARIF fingerprints are built on it.
   */
  fingerprint?: string;
  /** Set when the finding was accepted (an ignore comment, the ignore file, the baseline): reported as suppressed, not counted as a failure. */
  suppression?: Suppression;
}

/** Why a finding is not reported as one: SARIF's `suppressions` kinds, and where it was accepted. */
export interface Suppression {
  /** `inSource`: a `# secretref-ignore` comment in the file; `external`: the ignore file or the baseline. */
  kind: 'inSource' | 'external';
  by: 'comment' | 'ignore-file' | 'baseline';
  /** The reason the author gave, when there is one. */
  justification?: string;
}

/** Counts by severity of the findings reported, and how many were suppressed. */
export interface DiagnosticSummary {
  errors: number;
  warnings: number;
  infos: number;
  /** Findings accepted by an ignore comment, the ignore file or the baseline (not in the counts above). */
  suppressed: number;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Source order, then errors before warnings before infos, then code: a total, stable order. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    a.range.end.line - b.range.end.line ||
    a.range.end.column - b.range.end.column ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

/** How many errors, warnings and infos `diagnostics` hold, suppressed ones counted apart. */
export function summarize(diagnostics: readonly Diagnostic[]): DiagnosticSummary {
  const out: DiagnosticSummary = { errors: 0, warnings: 0, infos: 0, suppressed: 0 };
  for (const d of diagnostics) {
    if (d.suppression) out.suppressed++;
    else if (d.severity === 'error') out.errors++;
    else if (d.severity === 'warning') out.warnings++;
    else out.infos++;
  }
  return out;
}

/** The range used when a finding has no better position: the start of the document. */
export const DOCUMENT_START: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

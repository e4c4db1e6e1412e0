/**
 * The JSON report, a stable documented shape (version 1). Fields are only ever added, never
 * renamed or removed, within a version:
 *
 * ```
 * { "version": 1,
 *   "diagnostics": [ { "file", "code", "severity", "message", "path",
 *                      "line", "column", "endLine", "endColumn", "suggestion"?, "fingerprint"? } ],
 *   "suppressed": [ { …the same…, "suppression": { "kind", "by", "justification"? } } ],
 *   "summary": { "errors", "warnings", "infos", "suppressed" } }
 * ```
 * Lines and columns are 1-based; `endColumn` is exclusive; columns count UTF-16 code units.
 * `diagnostics` holds the findings reported; `suppressed` the ones an ignore comment, the ignore
 * file or the baseline accepted (not counted in errors, warnings, infos).
 */
import { summarize, type Diagnostic, type DiagnosticSummary, type Suppression } from './diagnostic.js';
import { STDIN_NAME } from './format-text.js';
import type { LintCode, Severity } from './rules.js';

/** One diagnostic in the JSON report. */
export interface JsonDiagnostic {
  file: string;
  code: LintCode;
  severity: Severity;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  suggestion?: string;
  /** Stable across runs (see Diagnostic.fingerprint). */
  fingerprint?: string;
  /** Only in `suppressed`: how the finding was accepted. */
  suppression?: Suppression;
}

/** The JSON report. */
export interface JsonReport {
  version: 1;
  diagnostics: JsonDiagnostic[];
  suppressed: JsonDiagnostic[];
  summary: DiagnosticSummary;
}

/** The report as an object (what `formatDiagnostics(…, 'json')` serialises). */
export function jsonReport(diagnostics: readonly Diagnostic[], opts: { filename?: string } = {}): JsonReport {
  const one = (d: Diagnostic): JsonDiagnostic => {
    const j: JsonDiagnostic = {
      file: d.file ?? opts.filename ?? STDIN_NAME,
      code: d.code,
      severity: d.severity,
      message: d.message,
      path: d.path,
      line: d.range.start.line,
      column: d.range.start.column,
      endLine: d.range.end.line,
      endColumn: d.range.end.column,
    };
    if (d.suggestion !== undefined) j.suggestion = d.suggestion;
    if (d.fingerprint !== undefined) j.fingerprint = d.fingerprint;
    if (d.suppression !== undefined) j.suppression = { ...d.suppression };
    return j;
  };
  return {
    version: 1,
    diagnostics: diagnostics.filter((d) => !d.suppression).map(one),
    suppressed: diagnostics.filter((d) => d.suppression).map(one),
    summary: summarize(diagnostics),
  };
}

export function formatJson(diagnostics: readonly Diagnostic[], opts: { filename?: string } = {}): string {
  return `${JSON.stringify(jsonReport(diagnostics, opts), null, 2)}\n`;
}

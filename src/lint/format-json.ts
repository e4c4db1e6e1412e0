/**
 * The JSON report, a stable documented shape (version 1). Fields are only ever added, never
 * renamed or removed, within a version:
 *
 * ```
 * { "version": 1,
 *   "diagnostics": [ { "file", "code", "severity", "message", "path",
 *                      "line", "column", "endLine", "endColumn", "suggestion"? } ],
 *   "summary": { "errors", "warnings", "infos" } }
 * ```
 * Lines and columns are 1-based; `endColumn` is exclusive; columns count UTF-16 code units.
 */
import { summarize, type Diagnostic, type DiagnosticSummary } from './diagnostic.js';
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
}

/** The JSON report. */
export interface JsonReport {
  version: 1;
  diagnostics: JsonDiagnostic[];
  summary: DiagnosticSummary;
}

/** The report as an object (what `formatDiagnostics(…, 'json')` serialises). */
export function jsonReport(diagnostics: readonly Diagnostic[], opts: { filename?: string } = {}): JsonReport {
  return {
    version: 1,
    diagnostics: diagnostics.map((d) => {
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
      return j;
    }),
    summary: summarize(diagnostics),
  };
}

export function formatJson(diagnostics: readonly Diagnostic[], opts: { filename?: string } = {}): string {
  return `${JSON.stringify(jsonReport(diagnostics, opts), null, 2)}\n`;
}

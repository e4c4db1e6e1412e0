/**
 * `formatDiagnostics`: one entry point for the three report formats. Diagnostics of several files
 * (each carrying `file`) make one report: one text stream, one JSON document, one SARIF run.
 */
import { SecretrefError } from '../errors.js';
import type { Diagnostic } from './diagnostic.js';
import { formatJson } from './format-json.js';
import { formatSarif, type SarifFormatOptions } from './format-sarif.js';
import { formatText, type TextFormatOptions } from './format-text.js';

/** The report formats. */
export type DiagnosticFormat = 'text' | 'json' | 'sarif';

/** Options of {@link formatDiagnostics}; each format reads the ones it knows. */
export type FormatOptions = TextFormatOptions & SarifFormatOptions;

/**
 * Renders diagnostics as `text` (`file:line:col: severity CODE message`, caret excerpts with
 * `source` and `color`), `json` (version 1, documented in format-json.ts) or `sarif` (2.1.0).
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat, opts: FormatOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(diagnostics, opts);
    case 'json':
      return formatJson(diagnostics, opts);
    case 'sarif':
      return formatSarif(diagnostics, opts);
    default:
      throw new SecretrefError('INVALID_INPUT', `Unknown format "${String(format)}"; use text, json or sarif.`);
  }
}

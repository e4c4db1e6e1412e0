export { lint, type LintOptions } from './lint.js';
export { formatDiagnostics, type DiagnosticFormat, type FormatOptions } from './format.js';
export { jsonReport, type JsonDiagnostic, type JsonReport } from './format-json.js';
export { sarifLog } from './format-sarif.js';
export { LINT_RULES, LINT_CODES, type LintCode, type LintRule, type Severity } from './rules.js';
export { summarize, compareDiagnostics, type Diagnostic, type DiagnosticSummary } from './diagnostic.js';

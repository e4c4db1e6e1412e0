/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every lint rule as a
 * reportingDescriptor (id, descriptions, help, default level, security tags), results with a
 * physical location (relative URI, 1-based region, UTF-16 columns) and a partial fingerprint.
 *
 * Fingerprints hash the file, rule, JSON pointer, secret name and occurrence number: never the
 * text at the location (a pasted credential must not leak even as a hash), and stable when
 * lines move.
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from './diagnostic.js';
import { LINT_CODES, LINT_RULES, type LintCode, type Severity } from './rules.js';

/** Options of the SARIF report. */
export interface SarifFormatOptions {
  /** File name for diagnostics without `file`. */
  filename?: string;
  /** `tool.driver.version`. */
  toolVersion?: string;
  /** `tool.driver.informationUri`. */
  informationUri?: string;
}

export const SARIF_SCHEMA = 'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json';
export const DEFAULT_INFORMATION_URI = 'https://www.npmjs.com/package/secretref';
/** The key of our partial fingerprint (versioned: a new scheme gets a new key). */
export const FINGERPRINT_KEY = 'secretref/v1';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const SECURITY_SEVERITY: Partial<Record<LintCode, string>> = {
  PASTED_CREDENTIAL: '9.0',
  SECRET_IN_MODEL_FIELD: '8.0',
  UNSAFE_TEMPLATE: '7.0',
  UNSAFE_EXPRESSION: '7.0',
  PERMISSION_DENIED: '6.0',
};

export function sarifLog(diagnostics: readonly Diagnostic[], opts: SarifFormatOptions = {}): Record<string, unknown> {
  const informationUri = opts.informationUri ?? DEFAULT_INFORMATION_URI;
  const rules = LINT_CODES.map((code) => {
    const r = LINT_RULES[code];
    const security = 'security' in r && r.security === true;
    const props: Record<string, unknown> = { tags: security ? ['security', 'secrets'] : ['secrets'], precision: code === 'PASTED_CREDENTIAL' ? 'high' : 'very-high' };
    const score = SECURITY_SEVERITY[code];
    if (score !== undefined) props['security-severity'] = score;
    return {
      id: code,
      name: pascal(code),
      shortDescription: { text: r.summary },
      fullDescription: { text: `${r.summary} ${r.help}` },
      help: { text: r.help, markdown: `**${code}** — ${r.summary}\n\n${r.help}` },
      helpUri: `${informationUri}#${code.toLowerCase().replace(/_/g, '-')}`,
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: props,
    };
  });
  const seen = new Map<string, number>();
  const results = diagnostics.map((d) => {
    const file = d.file ?? opts.filename ?? 'stdin';
    const identity = [file, d.code, d.path, d.name ?? ''].join('\u0000');
    const n = seen.get(identity) ?? 0;
    seen.set(identity, n + 1);
    const region = {
      startLine: d.range.start.line,
      startColumn: d.range.start.column,
      endLine: Math.max(d.range.end.line, d.range.start.line),
      endColumn: d.range.end.line > d.range.start.line ? Math.max(1, d.range.end.column) : Math.max(d.range.end.column, d.range.start.column),
    };
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: LINT_CODES.indexOf(d.code),
      level: LEVEL[d.severity],
      message: { text: d.suggestion !== undefined ? `${d.message} Suggestion: ${d.suggestion}` : d.message },
      locations: [{ physicalLocation: { artifactLocation: artifact(file), region } }],
      partialFingerprints: { [FINGERPRINT_KEY]: createHash('sha256').update(`${identity}\u0000${n}`).digest('hex').slice(0, 32) },
      properties: { path: d.path, ...(d.suggestion !== undefined ? { suggestion: d.suggestion } : {}), ...(d.name !== undefined ? { secretName: d.name } : {}) },
    };
    return result;
  });
  const driver: Record<string, unknown> = { name: 'secretref', informationUri, rules };
  if (opts.toolVersion !== undefined) {
    driver.version = opts.toolVersion;
    driver.semanticVersion = opts.toolVersion;
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver }, columnKind: 'utf16CodeUnits', results }],
  };
}

export function formatSarif(diagnostics: readonly Diagnostic[], opts: SarifFormatOptions = {}): string {
  return `${JSON.stringify(sarifLog(diagnostics, opts), null, 2)}\n`;
}

/** A relative path becomes a relative URI under %SRCROOT% (what code scanning expects). */
function artifact(file: string): Record<string, string> {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  const uri = file
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return { uri, uriBaseId: '%SRCROOT%' };
}

function pascal(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every lint rule as a
 * reportingDescriptor (id, descriptions, help, default level, security tags), results with a
 * physical location (a URI relative to the repository root under `%SRCROOT%`, 1-based region,
 * UTF-16 columns), a partial fingerprint, and `suppressions` for accepted findings (an ignore
 * comment is `inSource`; the ignore file and the baseline are `external`), so code scanning shows
 * them as dismissed rather than losing them.
 *
 * Fingerprints hash the file's URI, the diagnostic's fingerprint (fingerprint.ts: rule, pointer
 * and offending text, a pasted credential only in masked form) and the occurrence number: stable
 * when lines move, distinct per finding, and never derived from a credential's value.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
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
  /**
   * The repository root (absolute): URIs are relative to it under `%SRCROOT%`, which
   * `originalUriBaseIds` maps to this folder. Default: file names as given.
   */
  root?: string;
  /** The folder relative file names are relative to (absolute; with `root`). */
  cwd?: string;
  /** `automationDetails.id`: tells one analysis from another in code scanning. Default `secretref/lint/`. */
  automationId?: string;
  /** Where the rules are documented (`…/docs/errors.md`): each rule's `helpUri` is it plus `#code`. */
  helpBaseUri?: string;
  /** Added to the run's property bag. */
  properties?: Record<string, unknown>;
}

export const SARIF_SCHEMA = 'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json';
export const DEFAULT_INFORMATION_URI = 'https://www.npmjs.com/package/secretref';
/** The key of our partial fingerprint (versioned: a new scheme gets a new key). */
export const FINGERPRINT_KEY = 'secretref/v2';
/**
 * Where a published version documents its rules: docs/errors.md of that package version, one
 * heading per code (`#pasted_credential`). Each rule's `helpUri` is this plus the code's anchor.
 */
export function rulesDocUri(version: string): string {
  return `https://unpkg.com/secretref@${encodeURIComponent(version)}/docs/errors.md`;
}
/** The `automationDetails.id` of a lint run. */
export const DEFAULT_AUTOMATION_ID = 'secretref/lint/';

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
      ...(opts.helpBaseUri !== undefined ? { helpUri: `${opts.helpBaseUri}#${code.toLowerCase()}` } : {}),
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: props,
    };
  });
  const locate = locator(opts);
  const seen = new Map<string, number>();
  const results = diagnostics.map((d) => {
    const location = locate(d.file ?? opts.filename ?? 'stdin');
    const identity = `${location.uri}\u0000${d.fingerprint ?? [d.code, d.path, d.name ?? ''].join('\u0000')}`;
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
      locations: [{ physicalLocation: { artifactLocation: location, region } }],
      partialFingerprints: { [FINGERPRINT_KEY]: createHash('sha256').update(`${identity}\u0000${n}`).digest('hex').slice(0, 32) },
      properties: { path: d.path, ...(d.suggestion !== undefined ? { suggestion: d.suggestion } : {}), ...(d.name !== undefined ? { secretName: d.name } : {}) },
    };
    if (d.suppression) {
      result.suppressions = [{ kind: d.suppression.kind, ...(d.suppression.justification !== undefined ? { justification: d.suppression.justification } : {}) }];
    }
    return result;
  });
  const driver: Record<string, unknown> = { name: 'secretref', informationUri, rules };
  if (opts.toolVersion !== undefined) {
    driver.version = opts.toolVersion;
    driver.semanticVersion = opts.toolVersion;
  }
  const run: Record<string, unknown> = { tool: { driver }, automationDetails: { id: opts.automationId ?? DEFAULT_AUTOMATION_ID }, columnKind: 'utf16CodeUnits' };
  if (opts.root !== undefined) run.originalUriBaseIds = { [SRCROOT]: { uri: `${pathToFileURL(opts.root).href.replace(/\/?$/, '/')}` } };
  run.results = results;
  if (opts.properties !== undefined) run.properties = opts.properties;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [run],
  };
}

export function formatSarif(diagnostics: readonly Diagnostic[], opts: SarifFormatOptions = {}): string {
  return `${JSON.stringify(sarifLog(diagnostics, opts), null, 2)}\n`;
}

const SRCROOT = '%SRCROOT%';

/**
 * A file becomes a URI relative to the repository root under %SRCROOT% (what code scanning
 * expects); without a root, a relative name stays relative; a file outside the root, or an
 * absolute name without a root, becomes a file: URI.
 */
function locator(opts: SarifFormatOptions): (file: string) => Record<string, string> {
  return (file) => {
    if (opts.root !== undefined && file !== 'stdin' && file !== '<stdin>') {
      const abs = resolve(opts.cwd ?? opts.root, file);
      const rel = relative(opts.root, abs);
      if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return { uri: encodePath(rel.split(sep).join('/')), uriBaseId: SRCROOT };
      return { uri: pathToFileURL(abs).href };
    }
    if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
    return { uri: encodePath(file.replace(/\\/g, '/').replace(/^\.\//, '')), uriBaseId: SRCROOT };
  };
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function pascal(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

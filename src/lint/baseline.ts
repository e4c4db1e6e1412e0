/**
 * A baseline: the findings a project has accepted, so that CI reports only new ones. One entry
 * per finding, keyed by the file (from the repository root, with `/`) and the finding's
 * fingerprint (fingerprint.ts: code, pointer and offending text, a credential only masked); the
 * code and pointer are repeated for the reader of a diff. Never a value, never a line number, so
 * the file does not churn when lines move. Identical findings are matched by count.
 *
 * ```json
 * { "version": 1, "tool": "secretref",
 *   "findings": [ { "file": "tools/a.yaml", "code": "PASTED_CREDENTIAL", "path": "/setup/dsn", "fingerprint": "…" } ] }
 * ```
 */
import type { Problem } from '../errors.js';
import type { Diagnostic } from './diagnostic.js';
import { FINGERPRINT_VERSION } from './fingerprint.js';
import { isLintCode, type LintCode } from './rules.js';

/** One accepted finding. */
export interface BaselineEntry {
  file: string;
  code: LintCode;
  path: string;
  fingerprint: string;
}

/** The baseline file's shape (`version` is the fingerprint scheme). */
export interface BaselineFile {
  version: number;
  tool: 'secretref';
  findings: BaselineEntry[];
}

/** The baseline of `diagnostics` (the ones not suppressed otherwise), sorted for stable diffs. */
export function baselineOf(diagnostics: readonly Diagnostic[], fileOf: (d: Diagnostic) => string): BaselineFile {
  const findings = diagnostics
    .filter((d) => d.fingerprint !== undefined && (d.suppression === undefined || d.suppression.by === 'baseline'))
    .map((d) => ({ file: fileOf(d), code: d.code, path: d.path, fingerprint: d.fingerprint as string }))
    .sort((a, b) => cmp(a.file, b.file) || cmp(a.code, b.code) || cmp(a.path, b.path) || cmp(a.fingerprint, b.fingerprint));
  return { version: FINGERPRINT_VERSION, tool: 'secretref', findings };
}

/** Reads a baseline file; a malformed one is a list of problems, never a silent empty baseline. */
export function parseBaseline(text: string): { baseline?: BaselineFile; problems: Problem[] } {
  const problem = (message: string, path = ''): Problem => ({ code: 'INVALID_INPUT', message, path });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problems: [problem('the baseline is not valid JSON; write it with `secretref lint --baseline FILE --update-baseline`')] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problems: [problem('a baseline is an object with version, tool and findings')] };
  const v = value as Record<string, unknown>;
  if (v.version !== FINGERPRINT_VERSION) {
    return { problems: [problem(`this baseline is version ${JSON.stringify(v.version)}; this secretref reads version ${FINGERPRINT_VERSION}: run with --update-baseline to rewrite it`, '/version')] };
  }
  if (!Array.isArray(v.findings)) return { problems: [problem('findings is a list of { file, code, path, fingerprint }', '/findings')] };
  const problems: Problem[] = [];
  const findings: BaselineEntry[] = [];
  v.findings.forEach((f: unknown, i) => {
    const e = f as Partial<Record<keyof BaselineEntry, unknown>> | null;
    const ok = e !== null && typeof e === 'object' && typeof e.file === 'string' && typeof e.code === 'string' && isLintCode(e.code) && typeof e.path === 'string' && typeof e.fingerprint === 'string' && /^[0-9a-f]{32}$/.test(e.fingerprint);
    if (!ok) problems.push(problem('each finding is { file, code (a lint code), path, fingerprint (32 hex) }', `/findings/${i}`));
    else findings.push({ file: e.file as string, code: e.code as LintCode, path: e.path as string, fingerprint: e.fingerprint as string });
  });
  return problems.length > 0 ? { problems } : { baseline: { version: FINGERPRINT_VERSION, tool: 'secretref', findings }, problems: [] };
}

/** Marks the diagnostics the baseline accepts, each entry at most once. Returns how many entries no finding matched (fixed since). */
export function applyBaseline(diagnostics: readonly Diagnostic[], baseline: BaselineFile, fileOf: (d: Diagnostic) => string): number {
  const left = new Map<string, number>();
  for (const e of baseline.findings) left.set(key(e.file, e.fingerprint), (left.get(key(e.file, e.fingerprint)) ?? 0) + 1);
  for (const d of diagnostics) {
    if (d.suppression || d.fingerprint === undefined) continue;
    const k = key(fileOf(d), d.fingerprint);
    const n = left.get(k) ?? 0;
    if (n === 0) continue;
    left.set(k, n - 1);
    d.suppression = { kind: 'external', by: 'baseline', justification: 'accepted in the baseline' };
  }
  let stale = 0;
  for (const n of left.values()) stale += n;
  return stale;
}

/** The baseline file's text: sorted, one finding per line (short diffs), newline-terminated. */
export function formatBaseline(b: BaselineFile): string {
  const rows = b.findings.map((f) => `    ${JSON.stringify(f)}`);
  return `{\n  "version": ${b.version},\n  "tool": "secretref",\n  "findings": [${rows.length ? `\n${rows.join(',\n')}\n  ` : ''}]\n}\n`;
}

function key(file: string, fingerprint: string): string {
  return `${file}\u0000${fingerprint}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

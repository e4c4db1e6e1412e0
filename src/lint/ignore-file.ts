/**
 * The ignore file, `.secretrefignore`: one rule per line, a glob and, optionally, the codes it
 * accepts (every code when none is given), `#` starting a comment that serves as the reason.
 *
 * ```
 * # fixtures hold fake credentials on purpose
 * test/fixtures/**                      PASTED_CREDENTIAL
 * tools/public-dsn.yaml                 PASTED_CREDENTIAL   # read-only demo database
 * legacy/**
 * ```
 *
 * Globs are relative to the ignore file's folder and use `/`; a glob without `/` matches the base
 * name in any folder (`*.example.yaml`), as in `.gitignore` and the project config's `dialects`.
 * A malformed line is a problem with its line number, never silently skipped.
 */
import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';
import type { Problem } from '../errors.js';
import type { Diagnostic } from './diagnostic.js';
import { IGNORE_FILE } from './ignore-file-name.js';
import { isLintCode, LINT_CODES, type LintCode } from './rules.js';

export { IGNORE_FILE };

/**
 * picomatch, loaded by the first ignore file parsed: most lint runs have none, and loading it costs
 * start-up time (CommonJS, so the load stays synchronous and parseIgnoreFile stays a function).
 */
let picomatch: typeof Picomatch | undefined;
const load = createRequire(import.meta.url);

/** One rule of the ignore file. */
export interface IgnoreRule {
  glob: string;
  /** Undefined: every code. */
  codes?: ReadonlySet<LintCode>;
  reason?: string;
  /** 1-based line in the ignore file. */
  line: number;
  matches(relativePath: string): boolean;
}

/** Parses an ignore file; every malformed line is a problem (code INVALID_INPUT, with its range). */
export function parseIgnoreFile(text: string): { rules: IgnoreRule[]; problems: Problem[] } {
  const rules: IgnoreRule[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.search(/(?:^|\s)#/);
    const body = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    const reason = hash === -1 ? undefined : raw.slice(hash).replace(/^\s*#\s*/, '').trim() || undefined;
    if (body === '') return;
    const [glob, ...rest] = body.split(/\s+/) as [string, ...string[]];
    const problem = (message: string): void => {
      problems.push({ code: 'INVALID_INPUT', message, range: { start: { line, column: 1 }, end: { line, column: raw.length + 1 } } });
    };
    if (glob.startsWith('/')) return problem(`a glob is relative to the ignore file's folder; drop the leading / of "${glob}"`);
    if (glob.startsWith('!')) return problem('negated globs are not supported; list what to ignore');
    const names = rest.join(',').split(',').map((c) => c.trim()).filter(Boolean);
    const unknown = names.filter((c) => !isLintCode(c));
    if (unknown.length > 0) return problem(`unknown code ${unknown.map((c) => `"${c}"`).join(', ')}; codes are ${LINT_CODES.join(', ')}`);
    picomatch ??= load('picomatch') as typeof Picomatch;
    const test = picomatch(glob, { dot: true });
    const matches = glob.includes('/') ? test : (p: string) => test(p.slice(p.lastIndexOf('/') + 1));
    rules.push({ glob, line, matches, ...(names.length > 0 ? { codes: new Set(names as LintCode[]) } : {}), ...(reason !== undefined ? { reason } : {}) });
  });
  return { rules, problems };
}

/**
 * Marks the diagnostics a rule accepts. `relativePath(d)` is the diagnostic's file relative to the
 * ignore file's folder, with `/` (undefined: outside it, or stdin, and no rule applies).
 */
export function applyIgnoreFile(diagnostics: readonly Diagnostic[], rules: readonly IgnoreRule[], relativePath: (d: Diagnostic) => string | undefined): void {
  if (rules.length === 0) return;
  for (const d of diagnostics) {
    if (d.suppression) continue;
    const rel = relativePath(d);
    if (rel === undefined) continue;
    const rule = rules.find((r) => (r.codes === undefined || r.codes.has(d.code)) && r.matches(rel));
    if (rule) d.suppression = { kind: 'external', by: 'ignore-file', justification: rule.reason ?? `${IGNORE_FILE} line ${rule.line}: ${rule.glob}` };
  }
}

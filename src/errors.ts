/**
 * One error class, one catalog of codes. Messages say what to do; they never contain a secret
 * value or a key. Tests assert `code`, `path` and `range`, never wording.
 */
import { INTERNAL_LIMITS } from './limits.js';

/** Every code secretref can report, with a one-line summary used in docs and SARIF rule metadata. */
export const ERROR_CATALOG = {
  REFERENCE_SYNTAX: 'A secret reference is malformed.',
  REFERENCE_DYNAMIC: 'A secret reference is computed at run time instead of naming a secret literally.',
  REFERENCE_IN_KEY: 'A secret reference appears in a mapping key; only values may hold references.',
  UNSAFE_TEMPLATE: 'A template uses a construct outside the allowlist.',
  UNSAFE_EXPRESSION: 'An expression uses a construct outside the allowlist.',
  UNKNOWN_FILTER: 'A filter or function is not one of the built-ins.',
  UNKNOWN_VARIABLE: 'An identifier other than `secrets` or a caller-provided variable is used.',
  SECRET_NOT_FOUND: 'A referenced secret does not exist for this developer.',
  SECRET_EXPIRED: 'A referenced secret has passed its expiry date.',
  PERMISSION_DENIED: "A secret's usage policy does not allow this tool or host.",
  ENCRYPTION_ERROR: 'A secret could not be decrypted with the configured master key.',
  MASTER_KEY_MISSING: 'No master key is configured.',
  MASTER_KEY_WEAK: 'The master key is too weak.',
  INVALID_NAME: 'A secret name breaks the name rule.',
  DUPLICATE_NAME: 'A secret with this name already exists.',
  INVALID_INPUT: 'An argument or document is invalid.',
  STORE_UNAVAILABLE: 'The secret store cannot be reached.',
  LIMIT_EXCEEDED: 'A named limit was exceeded.',
  ENVIRONMENT_FALLBACK: 'In the chosen environment a reference has no ENV_NAME secret and falls back to the unprefixed NAME.',
  ENVIRONMENT_EMPTY: 'The chosen environment has no secrets at all (no ENV_NAME secret exists).',
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** A 1-based position in a source text. `column` counts UTF-16 code units. */
export interface Position {
  line: number;
  column: number;
}

/** A 1-based source range; `end` is exclusive (points just after the last character). */
export interface Range {
  start: Position;
  end: Position;
}

/** One problem found in a document or an operation; errors are data. */
export interface Problem {
  code: ErrorCode;
  message: string;
  /** JSON pointer of the value concerned, when there is a document. */
  path?: string;
  /** 1-based range in the source text, when there is one. */
  range?: Range;
  /** 0-based [start, end) offsets in the source text, when there is one. */
  offset?: [number, number];
  /** A concrete fix (a name to use, a reference to write). Never a value. */
  suggestion?: string;
  /** The secret name concerned, when there is one. */
  name?: string;
}

/** The only error type secretref throws on purpose. */
export class SecretrefError extends Error {
  override readonly name = 'SecretrefError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly range: Range | undefined;
  readonly suggestion: string | undefined;
  /** Every problem this error stands for (one, or all problems of a document/render). */
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, extra: Omit<Problem, 'code' | 'message'> & { problems?: readonly Problem[] } = {}) {
    super(message);
    this.code = code;
    this.path = extra.path;
    this.range = extra.range;
    this.suggestion = extra.suggestion;
    const { problems, ...rest } = extra;
    this.problems = problems ?? [{ code, message, ...rest }];
  }

  /**
   * One error for many problems: its code is the first problem's, its message lists them all.
   * `lines` turns the problems' source offsets into ranges (positions are printed here, not before).
   */
  static fromProblems(located: readonly Problem[], filename?: string, lines?: { range(start: number, end: number): Range }): SecretrefError {
    const problems = lines ? located.map((p) => (p.offset === undefined || p.range !== undefined ? p : { ...p, range: lines.range(p.offset[0], p.offset[1]) })) : located;
    const first = problems[0];
    if (!first) throw new TypeError('fromProblems needs at least one problem');
    if (problems.length === 1) {
      return new SecretrefError(first.code, withWhere(first, filename), { ...first, problems });
    }
    const max = INTERNAL_LIMITS.problemsShown;
    const shown = problems.slice(0, max).map((p) => `  - ${withWhere(p, filename)}`);
    if (problems.length > max) shown.push(`  … and ${problems.length - max} more`);
    return new SecretrefError(first.code, `${problems.length} problems:\n${shown.join('\n')}`, {
      ...(first.path !== undefined ? { path: first.path } : {}),
      ...(first.range !== undefined ? { range: first.range } : {}),
      problems,
    });
  }

  toJSON(): { code: ErrorCode; message: string; problems: readonly Problem[] } {
    return { code: this.code, message: this.message, problems: this.problems };
  }
}

function withWhere(p: Problem, filename?: string): string {
  const where: string[] = [];
  if (p.range) where.push(`${filename ?? '<input>'}:${p.range.start.line}:${p.range.start.column}`);
  else if (filename) where.push(filename);
  if (p.path !== undefined) where.push(p.path === '' ? '/' : p.path);
  const loc = where.length ? `${where.join(' ')}: ` : '';
  return `${loc}${p.code}: ${p.message}`;
}

/**
 * User text quoted in a message: at most `max` characters (`…` after). The one way messages
 * quote names, keys and operators — never values.
 */
export function clip(s: string, max: number = INTERNAL_LIMITS.quotedChars): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** True when `e` is a catalogued secretref error. */
export function isSecretrefError(e: unknown): e is SecretrefError {
  return e instanceof SecretrefError;
}

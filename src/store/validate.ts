/**
 * Checks of names and values at the store's API, before anything reaches the database. Errors
 * name the field, never the value: a value passed where a name belongs must not end up in a log.
 * The zod schemas of structured inputs live in validate-input.ts, loaded only by the operations
 * that take such input (a resolution never does).
 */
import { SecretrefError } from '../errors.js';
import { INTERNAL_LIMITS, LIMITS } from '../limits.js';
import { STORE_LIMITS } from './store-limits.js';

export { STORE_LIMITS };

export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Throws INVALID_NAME unless `name` follows the name rule. The message never echoes the input. */
export function checkName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new SecretrefError('INVALID_NAME', `The secret ${field} must be a non-empty string.`, { path: `/${field}` });
  }
  if (name.length > LIMITS.maxNameLength || !NAME_PATTERN.test(name)) {
    const why =
      name.length > LIMITS.maxNameLength
        ? `it has ${name.length} characters (at most ${LIMITS.maxNameLength})`
        : !/^[A-Za-z]/.test(name)
          ? 'it does not start with a letter'
          : `the character at position ${[...name].findIndex((c) => !/[A-Za-z0-9_]/.test(c)) + 1} is not a letter, digit or _`;
    throw new SecretrefError(
      'INVALID_NAME',
      `The secret ${field} is invalid: ${why}. Names match ^[A-Za-z][A-Za-z0-9_]*$, e.g. stripe_api_key.`,
      { path: `/${field}` },
    );
  }
  return name;
}

/** A string PostgreSQL text can hold unchanged: no NUL, no lone surrogate. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function storable(s: string): boolean {
  return !s.includes('\0') && !LONE_SURROGATE.test(s);
}

/** Throws unless `value` can be stored byte-exact within the size limit. */
export function checkValue(value: unknown, field = 'value'): string {
  if (typeof value !== 'string') {
    throw new SecretrefError('INVALID_INPUT', `The secret ${field} must be a string.`, { path: `/${field}` });
  }
  if (value.length === 0) {
    throw new SecretrefError('INVALID_INPUT', `The secret ${field} is empty; store a non-empty value.`, { path: `/${field}` });
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > LIMITS.maxSecretValueBytes) {
    throw new SecretrefError(
      'LIMIT_EXCEEDED',
      `The secret ${field} has ${bytes} bytes; the limit is ${LIMITS.maxSecretValueBytes} (LIMITS.maxSecretValueBytes).`,
      { path: `/${field}` },
    );
  }
  if (!storable(value)) {
    throw new SecretrefError(
      'INVALID_INPUT',
      `The secret ${field} contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored unchanged; encode it (e.g. base64) first.`,
      { path: `/${field}` },
    );
  }
  return value;
}

export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;

/** The grace period of a rotation, default 24 h, at most 366 days. */
export function checkGraceMs(given: unknown): number {
  const graceMs = given ?? DEFAULT_GRACE_MS;
  if (typeof graceMs !== 'number' || !Number.isFinite(graceMs) || graceMs < 0 || graceMs > INTERNAL_LIMITS.maxGraceMs) {
    throw new SecretrefError('INVALID_INPUT', `graceMs must be a number of milliseconds between 0 and ${INTERNAL_LIMITS.maxGraceMs}.`, {
      path: '/graceMs',
    });
  }
  return graceMs;
}

/** Cursors are opaque: base64url of the last name of the page. */
export function encodeCursor(lastName: string): string {
  return Buffer.from(`n:${lastName}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const name = text.startsWith('n:') ? text.slice(2) : '';
  if (!NAME_PATTERN.test(name) || name.length > LIMITS.maxNameLength) {
    throw new SecretrefError('INVALID_INPUT', 'The list cursor is not one this store returned; pass nextCursor unchanged.', {
      path: '/cursor',
    });
  }
  return name;
}

/** Distinct valid names; INVALID_NAME lists every bad one at once. */
export function checkNames(names: Iterable<string>): string[] {
  const out = new Set<string>();
  const problems: { code: 'INVALID_NAME'; message: string; path: string }[] = [];
  let i = 0;
  for (const n of names) {
    try {
      out.add(checkName(n));
    } catch (e) {
      if (e instanceof SecretrefError) problems.push({ code: 'INVALID_NAME', message: e.message, path: `/${i}` });
      else throw e;
    }
    i++;
  }
  if (problems.length) throw SecretrefError.fromProblems(problems);
  if (out.size > STORE_LIMITS.maxResolveNames) {
    throw new SecretrefError('LIMIT_EXCEEDED', `${out.size} names in one lookup; the limit is ${STORE_LIMITS.maxResolveNames}.`);
  }
  return [...out];
}

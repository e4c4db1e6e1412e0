/**
 * What the built-ins of SPEC §1 do, identical for `f(x)` in expressions and `x | f` in
 * templates. A filter that cannot do its work returns FILTER_FAILED and the caller reports
 * INVALID_INPUT at the call; the offending value never reaches a message.
 */
import type { BuiltinName } from '../syntax/builtins.js';

export const FILTER_FAILED: unique symbol = Symbol('filter failed');

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const SPACE = /[\t\n\r ]+/g;

/** `String.prototype.isWellFormed` (ES2024; Node 20 has it, our `lib` does not name it). */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** encodeURIComponent, or FILTER_FAILED for a lone surrogate (no URL can carry one). */
export function percentEncode(s: string): string | typeof FILTER_FAILED {
  // encodeURIComponent throws (URIError) exactly on a lone surrogate: no second scan of s.
  try {
    return encodeURIComponent(s);
  } catch {
    return FILTER_FAILED;
  }
}

/** The JSON string escape of `s`, without the quotes. */
export function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

export function b64encode(s: string): string | typeof FILTER_FAILED {
  return isWellFormed(s) ? Buffer.from(s, 'utf8').toString('base64') : FILTER_FAILED;
}

/** Standard or URL-safe base64, padding optional, blanks ignored; must decode to UTF-8 text. */
export function b64decode(s: string): string | typeof FILTER_FAILED {
  const t = s.replace(SPACE, '');
  if (!B64.test(t) || t.replace(/=+$/, '').length % 4 === 1) return FILTER_FAILED;
  try {
    return UTF8.decode(Buffer.from(t, 'base64'));
  } catch {
    return FILTER_FAILED;
  }
}

/** The one-argument built-ins (everything but `default`), applied to a string. */
export const STRING_FILTERS: Readonly<Record<Exclude<BuiltinName, 'default'>, (s: string) => string | typeof FILTER_FAILED>> = {
  urlencode: percentEncode,
  b64encode,
  b64decode,
  json: jsonEscape,
  trim: (s) => s.trim(),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  raw: (s) => s,
};

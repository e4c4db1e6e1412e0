/**
 * Text that stands for a credential instead of being one: `<password>`, `${TOKEN}`, `changeme`,
 * `sk-xxxx…`, AWS's documented `…EXAMPLE` keys, alphabet walks (`…klmnopqrstuvwx…`), a password
 * equal to its user name (`postgres:postgres@`, the default credentials of a local database).
 *
 * A finding that is not a credential costs more than a miss (a noisy rule gets switched off), so
 * every detector asks here before it reports. Every check is one pass over the text.
 */

/** Markers of made-up text anywhere in a token body. */
export const PLACEHOLDER_BODY = /x{5}|X{5}|\*{3}|\.{3}|…|<|>|0{8}|1234567|abcdef(?:gh|12)|example|EXAMPLE|your|YOUR|placeholder|PLACEHOLDER|dummy|DUMMY|redacted|REDACTED/;

const WORDS = /^(?:change[-_ ]?me|changeit|replace[-_ ]?me|todo|tbd|none|null|nil|undefined|empty|redacted|example|dummy|fake|test|secret|password|passwd|pass|pwd|token|api[-_ ]?key|key|value|string|your[-_ ].*|my[-_ ].*|xxx.*|\.\.\.|…)$/;

/** Segments (between `_`, `-`, `.`) that mark a generic value as a sample: `test_token_1`, `demo-key`. */
const SAMPLE_SEGMENT = /(?:^|[-_.])(?:test|sample|mock|fake|dummy|demo|example|placeholder|notreal|not_a_real)(?:[-_.]|$)/i;

/** True for text that stands for a value instead of being one. */
export function isPlaceholder(v: string): boolean {
  const s = v.trim();
  if (s === '') return true;
  if (/^(?:<[^>]*>|\{[^}]*\}|\[[^\]]*\]|\(\s*[^)]*\))$/.test(s)) return true; // <password>, {pw}, [token]
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^%[A-Za-z_][A-Za-z0-9_]*%$|^\$\([^)]*\)$|^\$\d$/.test(s)) return true; // env vars, $1
  if (s.includes('{{') || s.includes('{%') || s.includes('$secrets') || s.includes('${') || s.includes('$(')) return true;
  if (/^(.)\1{2,}$/.test(s)) return true; // ***, xxxx, 0000
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(s)) return true; // YOUR_API_KEY, an env var name
  if (WORDS.test(s.toLowerCase())) return true;
  if (isSequence(s) || hasAlphabetWalk(s)) return true;
  return PLACEHOLDER_BODY.test(s);
}

/** True when a generic value (not a vendor token) is a sample: a `test`/`demo`/`fake` segment. */
export function isSampleValue(v: string): boolean {
  return SAMPLE_SEGMENT.test(v);
}

/**
 * True when the whole string is one ascending run (`abc`, `1234`, `wxyz`): nobody generates a
 * secret like that.
 */
export function isSequence(s: string): boolean {
  if (s.length < 3) return false;
  for (let i = 1; i < s.length; i++) if (step(s.charCodeAt(i - 1), s.charCodeAt(i)) !== 1) return false;
  return true;
}

/**
 * True when `s` holds `min` or more letters in alphabet order (`klmnopq`, case ignored): the walk
 * people type to fill a token-shaped test string. A random base62 body has a run of 7 with
 * probability about 26·(1/62)^6 per position, so real tokens are not lost.
 */
export function hasAlphabetWalk(s: string, min = 7): boolean {
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    const a = lower(s.charCodeAt(i - 1));
    const b = lower(s.charCodeAt(i));
    run = isLetter(a) && isLetter(b) && b === a + 1 ? run + 1 : 1;
    if (run >= min) return true;
  }
  return false;
}

/**
 * A literal password that is only a stand-in: a placeholder, a sample, shorter than 4, equal to
 * the user name (`postgres:postgres`, `test:test`: a local default), or a lowercase word built on
 * "pass"/"secret" (`mypassword`, `secretpass`).
 */
export function isPlaceholderPassword(password: string, user?: string): boolean {
  if (password.length < 4 || isPlaceholder(password) || isSampleValue(password)) return true;
  if (user !== undefined && password.toLowerCase() === user.toLowerCase()) return true;
  return /^[a-z]*(?:pass|pwd|secret)[a-z]*$/.test(password);
}

function step(a: number, b: number): number {
  return lower(b) - lower(a);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

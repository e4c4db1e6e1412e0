/**
 * Credentials pasted in clear text: vendor token formats (token-formats.ts: OpenAI, Anthropic, AWS,
 * GitHub, GitLab, Slack, Stripe, Google, Hugging Face, JWTs, Azure, Vault, Databricks, …),
 * private-key blocks, a literal password in a URL's userinfo or query string, and a random-looking
 * literal in a field whose name says it holds a secret (`password`, `api_key`,
 * `Authorization: Bearer …`). Secrets inside command strings and `KEY=value` text are found by
 * command-line.ts and assignments.ts with the same field rules.
 *
 * False positives are worse than misses here (a noisy rule gets switched off), so every pattern
 * demands the shape of a real token (length, alphabet, randomness) and skips placeholders
 * (placeholder.ts). Findings never carry the credential: only its public prefix and length (see
 * `maskCredential`).
 */
import { clip } from '../errors.js';
import { INTERNAL_LIMITS } from '../limits.js';
import { shannonBitsPerChar } from '../entropy.js';
import { isPlaceholder, isPlaceholderPassword, isSampleValue } from './placeholder.js';
import { decodeBase64, plausibleBody, TOKEN_FORMATS, type SecretName } from './token-formats.js';

export { isPlaceholder } from './placeholder.js';

/** What was found; indices are into the string value. */
export interface CredentialMatch {
  start: number;
  end: number;
  /** Human label: "a Stripe live secret key". */
  label: string;
  /** The public, non-secret prefix of the token format (`sk_live_`), shown in messages. */
  prefix: string;
  /** How to name the secret: a fixed name (provider keys) or a stem to prefix with a service. */
  name: SecretName;
}

/** Shannon entropy in bits per character. */
export const entropy = shannonBitsPerChar;

/** A literal that could be a generated secret: long, no spaces, mixed alphabet, high entropy. */
export function looksRandom(s: string): boolean {
  if (s.length < 16 || /\s/.test(s) || isPlaceholder(s)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return false; // a URL
  if (/^[a-z]+(?:[-_.][a-z]+)*$/i.test(s)) return false; // words
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(s)).length;
  if (!/\d/.test(s) && classes < 3) return false;
  // Hex keys: 4 bits per character at most, so a long random one is judged by the hex bar.
  if (/^[a-f0-9]+$/i.test(s)) return /[a-f]/i.test(s) && /\d/.test(s) && entropy(s) >= 3.2;
  if (classes < 2) return false;
  return entropy(s) >= (s.length >= 32 ? 3.5 : 3.2);
}

const hintsOf = (f: (typeof TOKEN_FORMATS)[number]): readonly string[] => (typeof f.hint === 'string' ? [f.hint] : f.hint);
/** One pass over a string tells whether any format can match in it (most strings hold no hint). */
const ANY_HINT = new RegExp(TOKEN_FORMATS.flatMap(hintsOf).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
/** The formats each hint selects: one scan of the text for hints picks the formats to try. */
const FORMATS_BY_HINT = new Map<string, (typeof TOKEN_FORMATS)[number][]>();
for (const f of TOKEN_FORMATS) {
  for (const h of hintsOf(f)) {
    const list = FORMATS_BY_HINT.get(h);
    if (list) list.push(f);
    else FORMATS_BY_HINT.set(h, [f]);
  }
}

/** The hints by their first character: at a hint's match, only the few that start alike are tried. */
const HINTS_BY_FIRST = new Map<string, [string, (typeof TOKEN_FORMATS)[number][]][]>();
for (const entry of FORMATS_BY_HINT) {
  const first = entry[0].charAt(0);
  const list = HINTS_BY_FIRST.get(first);
  if (list) list.push(entry);
  else HINTS_BY_FIRST.set(first, [entry]);
}

/**
 * Every token format is a prefix and a body of at least 16 characters with no white space, so a
 * string without such a run holds no token (most field values: names, types, prose). This check is
 * a single character-class scan, much cheaper than looking for every hint.
 */
const TOKEN_RUN = /[\w.~+/=:-]{16}/;

/** Formats whose hint occurs in `value`, in table order. */
function formatsIn(value: string): (typeof TOKEN_FORMATS)[number][] {
  const chosen = new Set<(typeof TOKEN_FORMATS)[number]>();
  ANY_HINT.lastIndex = 0;
  for (let m = ANY_HINT.exec(value); m; m = ANY_HINT.exec(value)) {
    // A hint may be a prefix of another (`sk-` / `sk-ant-`): collect every hint that starts here.
    for (const [h, fs] of HINTS_BY_FIRST.get(value.charAt(m.index)) ?? []) if (value.startsWith(h, m.index)) for (const f of fs) chosen.add(f);
    ANY_HINT.lastIndex = m.index + 1;
  }
  return chosen.size === 0 ? [] : TOKEN_FORMATS.filter((f) => chosen.has(f));
}

/** Token formats found in `value`. */
export function findTokens(value: string): CredentialMatch[] {
  if (!TOKEN_RUN.test(value)) return [];
  const formats = formatsIn(value);
  if (formats.length === 0) return [];
  const out: CredentialMatch[] = [];
  for (const f of formats) {
    f.re.lastIndex = 0;
    for (let m = f.re.exec(value); m; m = f.re.exec(value)) {
      const body = m[2] ?? '';
      if (f.body && !f.body(body, m)) continue;
      if (f.structured ? /^(.)\1+$/.test(body) : !plausibleBody(body)) continue;
      if (out.some((o) => o.start < m.index + m[0].length && m.index < o.end)) continue;
      out.push({
        start: m.index,
        end: m.index + m[0].length,
        label: typeof f.label === 'string' ? f.label : f.label(m),
        prefix: m[1] as string,
        name: f.name(m),
      });
    }
  }
  return out;
}

// scheme://user:password@host — the password is group 3.
// Userinfo right after a `://` (sticky: matched only where it starts).
const USERINFO = /([^\s/?#@:]*):([^\s/?#@]+)@/y;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

/** Is there a URL scheme (`[A-Za-z][A-Za-z0-9+.-]*` starting at a word boundary) just before `at`? */
function hasScheme(value: string, at: number): boolean {
  let s = at;
  while (s > 0 && SCHEME_CHAR.test(value[s - 1] as string)) s--;
  for (let p = s; p < at; p++) {
    const c = value[p] as string;
    const before = value[p - 1];
    if (/[A-Za-z]/.test(c) && (before === undefined || !/\w/.test(before))) return true;
  }
  return false;
}
// ?api_key=… &token=… in a URL.
const SECRET_QUERY = /[?&]((?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd|key|sig|signature))=([^&#\s]+)/gi;

/** A literal password in a URL's userinfo, or a secret-looking literal in a URL's query. */
export function findUrlSecrets(value: string): CredentialMatch[] {
  if (!value.includes('://')) return [];
  const out: CredentialMatch[] = [];
  // Each `://` is found once and its scheme read backwards: a regular expression that looks for
  // the scheme first retries at every word start and is quadratic on `a.a.a.…://x`.
  for (let at = value.indexOf('://'); at !== -1; at = value.indexOf('://', at + 3)) {
    if (!hasScheme(value, at)) continue;
    USERINFO.lastIndex = at + 3;
    const m = USERINFO.exec(value);
    if (!m) continue;
    const pw = m[2] as string;
    if (pw.includes('$') || pw.includes('{') || isPlaceholderPassword(pw, m[1])) continue;
    const start = m.index + m[0].length - 1 - pw.length;
    out.push({ start, end: start + pw.length, label: 'a password in the URL', prefix: '', name: { stem: 'password' } });
  }
  SECRET_QUERY.lastIndex = 0;
  for (let m = SECRET_QUERY.exec(value); m; m = SECRET_QUERY.exec(value)) {
    const v = m[2] as string;
    const param = (m[1] as string).toLowerCase();
    const strong = /pass|pwd|secret/.test(param);
    if (isPlaceholder(v) || isSampleValue(v) || v.includes('$') || v.includes('{')) continue;
    const start = m.index + m[0].length - v.length;
    // A percent-encoded value may hide a token (`?key=https%3A%2F%2Fhooks.slack.com%2F…`).
    const decoded = decodeSafe(v);
    const token = decoded !== v ? findTokens(decoded)[0] : undefined;
    if (token) {
      out.push({ start, end: start + v.length, label: token.label, prefix: '', name: token.name });
      continue;
    }
    if (!(strong ? v.length >= 6 && !/^[a-z]+$/i.test(v) : looksRandom(decoded))) continue;
    out.push({ start, end: start + v.length, label: `a secret in the URL's "${m[1]}" parameter`, prefix: '', name: { stem: snake(param === 'key' ? 'api_key' : param) } });
  }
  return out;
}

// Field names (snake_case, a trailing number dropped) that say "this holds a secret".
// `token_url`, `secret_name`, `max_tokens` do not; neither do cursors, anti-forgery and public values.
const PASSWORD_FIELD = /^(?:.*_)?(?:password|passwd|pwd|pass|passphrase)$/;
const SECRET_FIELD = /^(?:.*_)?(?:api_?key|secret|secret_?key|client_?secret|app_?secret|token|access_?token|auth_?token|bearer_?token|refresh_?token|access_?key|secret_?access_?key|private_?key|credentials?|creds|auth|authorization|webhook_?secret|signing_?secret|pat)$/;
const NOT_SECRET_FIELD = /(?:^|_)(?:public|publishable|csrf|xsrf|page|next|continuation|sync|cursor)(?:_|$)/;
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Bot|Key|ApiKey|SSWS|OAuth)\s+/i;
// An Authorization header is `scheme credentials` (RFC 9110 §11.4) whatever the scheme is called.
const ANY_SCHEME = /^[A-Za-z][A-Za-z0-9._~+-]*\s+(?=\S)/;
const NOT_A_PASSWORD = /^(?:true|false|yes|no|on|off|required|optional|hidden|string)$/i;

/** Whether a field, header, flag or variable named `name` holds a password, another secret, or neither. */
export function secretKind(name: string): 'password' | 'secret' | undefined {
  const field = snake(name).replace(/_?\d+$/, '');
  if (field === '' || NOT_SECRET_FIELD.test(field)) return undefined;
  if (PASSWORD_FIELD.test(field)) return 'password';
  return SECRET_FIELD.test(field) ? 'secret' : undefined;
}

/**
 * A literal secret in a field named like one: any non-placeholder literal for a password field,
 * a random-looking literal for `api_key`/`token`/`Authorization` (after its scheme); for Basic
 * credentials, a real password inside the base64.
 */
export function findFieldSecret(field: string, value: string): CredentialMatch | undefined {
  if (value.length > INTERNAL_LIMITS.pastedFieldChars) return undefined;
  const kind = secretKind(field);
  if (kind === undefined) return undefined;
  const authorization = /^(?:proxy_)?authorization$/.test(snake(field));
  const scheme = (authorization ? ANY_SCHEME : AUTH_SCHEME).exec(value);
  const start = scheme ? scheme[0].length : 0;
  const body = value.slice(start).trim();
  if (isPlaceholder(body) || body.includes('$') || body.includes('{{')) return undefined;
  let ok: boolean;
  if (kind === 'password') ok = !/\s/.test(body) && !NOT_A_PASSWORD.test(body) && !isPlaceholderPassword(body);
  else if (scheme && /^basic\s/i.test(scheme[0])) ok = basicCredentials(body);
  else ok = looksRandom(body) && !isSampleValue(body);
  if (!ok) return undefined;
  const stem = snake(field.replace(/^x[_-]/i, '')).replace(/_?\d+$/, '') || 'secret';
  return { start, end: start + body.length, label: kind === 'password' ? `a password in "${clip(field)}"` : `a secret in "${clip(field)}"`, prefix: '', name: { stem: stem === 'authorization' || stem === 'auth' ? 'token' : stem } };
}

/** `Basic base64(user:password)` with a real password (`user:` alone, or `user:changeme`, is not one). */
function basicCredentials(b64: string): boolean {
  const text = decodeBase64(b64);
  const colon = text.indexOf(':');
  if (colon === -1 || !/^[\x20-\x7e\x80-\xff]+$/.test(text)) return looksRandom(b64);
  return !isPlaceholderPassword(text.slice(colon + 1), text.slice(0, colon));
}

/** `sk_live_…(32 chars)` (or `12 chars`): the public prefix and the length, never the secret part. */
export function maskCredential(m: CredentialMatch): string {
  const len = m.end - m.start;
  if (m.prefix === '') return `${len} chars`;
  const prefix = m.prefix.length <= INTERNAL_LIMITS.quotedChars ? m.prefix : m.prefix.slice(0, INTERNAL_LIMITS.quotedChars);
  return `${prefix}…(${len} chars)`;
}

/** `X-API-Key` → `api_key`, `clientSecret` → `client_secret`. */
export function snake(s: string): string {
  // Field and header names repeat across every definition: remember the recent ones.
  let out = SNAKE_MEMO.get(s);
  if (out === undefined) {
    if (SNAKE_MEMO.size >= INTERNAL_LIMITS.compileMemoEntries) SNAKE_MEMO.clear();
    SNAKE_MEMO.set(s, (out = snakeUncached(s)));
  }
  return out;
}

const SNAKE_MEMO = new Map<string, string>();

function snakeUncached(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}


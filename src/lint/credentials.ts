/**
 * Credentials pasted in clear text: well-known token formats (OpenAI/Anthropic `sk-…`, AWS
 * `AKIA…`/`ASIA…`, GitHub `ghp_…`/`github_pat_…`, Slack `xox?-…`, Stripe `sk_live_…`, Google
 * `AIza…`), private-key blocks, a literal password in a URL's userinfo or query string, and a
 * random-looking literal in a field whose name says it holds a secret (`password`, `api_key`,
 * `Authorization: Bearer …`).
 *
 * False positives are worse than misses here (a noisy rule gets switched off), so every pattern
 * demands the shape of a real token (length, alphabet, randomness) and skips placeholders
 * (`sk-xxxx…`, `<password>`, `${PASSWORD}`, `changeme`, AWS's documented `…EXAMPLE` keys).
 * Findings never carry the credential: only its public prefix and length (see `maskCredential`).
 */
import { clip } from '../errors.js';
import { INTERNAL_LIMITS } from '../limits.js';
import { shannonBitsPerChar } from '../entropy.js';

/** What was found; indices are into the string value. */
export interface CredentialMatch {
  start: number;
  end: number;
  /** Human label: "a Stripe live secret key". */
  label: string;
  /** The public, non-secret prefix of the token format (`sk_live_`), shown in messages. */
  prefix: string;
  /** How to name the secret: a fixed name (provider keys) or a stem to prefix with a service. */
  name: { fixed: string } | { stem: string; service?: string };
}

interface TokenPattern {
  re: RegExp;
  label: string | ((m: RegExpExecArray) => string);
  prefix: (m: RegExpExecArray) => string;
  name: (m: RegExpExecArray) => CredentialMatch['name'];
  /** Extra check on the random part (group 2 unless stated). */
  body?: (body: string) => boolean;
}

// A token must not be glued to more token characters on either side.
const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';

const TOKENS: TokenPattern[] = [
  {
    re: new RegExp(`${B}(sk-ant-(?:api|admin)\\d{2}-)([A-Za-z0-9_-]{40,})${E}`, 'g'),
    label: 'an Anthropic API key',
    prefix: (m) => m[1] as string,
    name: () => ({ fixed: 'ANTHROPIC_API_KEY' }),
  },
  {
    re: new RegExp(`${B}(sk-(?:proj-|svcacct-|admin-|None-)?)([A-Za-z0-9_-]{20,})${E}`, 'g'),
    label: 'an OpenAI-style API key',
    prefix: (m) => m[1] as string,
    name: () => ({ stem: 'API_KEY', service: 'OPENAI' }),
    // Random keys mix cases and digits (or are long hex); `sk-learn-model-v2` is a slug.
    body: (b) => !b.startsWith('ant-') && ((/[a-z]/.test(b) && /[A-Z]/.test(b) && /\d/.test(b)) || /^[a-f0-9]{32,}$/.test(b)),
  },
  {
    re: new RegExp(`${B}((?:AKIA|ASIA|ABIA|ACCA))([A-Z0-9]{16})${E}`, 'g'),
    label: (m) => (m[1] === 'ASIA' ? 'an AWS temporary access key id' : 'an AWS access key id'),
    prefix: (m) => m[1] as string,
    name: () => ({ stem: 'access_key_id', service: 'aws' }),
    body: (b) => /\d/.test(b) && /[A-Z]/.test(b),
  },
  {
    re: new RegExp(`${B}(gh[pousr]_)([A-Za-z0-9]{36,})${E}`, 'g'),
    label: 'a GitHub token',
    prefix: (m) => m[1] as string,
    name: () => ({ stem: 'token', service: 'github' }),
  },
  {
    re: new RegExp(`${B}(github_pat_)([A-Za-z0-9_]{50,})${E}`, 'g'),
    label: 'a GitHub fine-grained token',
    prefix: (m) => m[1] as string,
    name: () => ({ stem: 'token', service: 'github' }),
  },
  {
    re: new RegExp(`${B}(xox[abprs]-)([A-Za-z0-9-]{10,})${E}`, 'g'),
    label: 'a Slack token',
    prefix: (m) => m[1] as string,
    name: (m) => ({ stem: m[1] === 'xoxb-' ? 'bot_token' : 'token', service: 'slack' }),
    body: (b) => /\d/.test(b) && b.replace(/-/g, '').length >= 10,
  },
  {
    re: new RegExp(`${B}((?:sk|rk)_(?:live|test)_)([A-Za-z0-9]{16,})${E}`, 'g'),
    label: (m) => `a Stripe ${m[1]?.includes('live') ? 'live' : 'test'} ${m[1]?.startsWith('rk') ? 'restricted' : 'secret'} key`,
    prefix: (m) => m[1] as string,
    name: (m) => ({ stem: m[1]?.startsWith('rk') ? 'restricted_key' : 'api_key', service: 'stripe' }),
  },
  {
    re: new RegExp(`${B}(whsec_)([A-Za-z0-9+/=]{24,})${E}`, 'g'),
    label: 'a Stripe webhook signing secret',
    prefix: (m) => m[1] as string,
    name: () => ({ stem: 'webhook_secret', service: 'stripe' }),
  },
  {
    re: new RegExp(`${B}(AIza)([0-9A-Za-z_-]{35})${E}`, 'g'),
    label: 'a Google API key',
    prefix: (m) => m[1] as string,
    name: () => ({ fixed: 'GOOGLE_API_KEY' }),
  },
  {
    re: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)([\s\S]*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    label: 'a private key',
    prefix: (m) => m[1] as string,
    name: () => ({ stem: 'private_key' }),
    // The header alone (documentation, an empty template) is not a key.
    body: (b) => b.replace(/\s+/g, '').length >= 40,
  },
];

/** A cheap pre-check: only strings containing one of these are examined by the token patterns. */
const TOKEN_HINT = /sk-|sk_|rk_|A[KSBC][IC]A|gh[pousr]_|github_pat_|xox[abprs]-|whsec_|AIza|-----BEGIN/;

const PLACEHOLDER_BODY = /x{5}|X{5}|\*{3}|\.{3}|…|<|>|0{8}|1234567|abcdef(?:gh|12)|example|EXAMPLE|your|YOUR|placeholder|PLACEHOLDER|dummy|DUMMY|redacted|REDACTED/;

/** True for text that stands for a value instead of being one. */
export function isPlaceholder(v: string): boolean {
  const s = v.trim();
  if (s === '') return true;
  if (/^(?:<[^>]*>|\{[^}]*\}|\[[^\]]*\]|\(\s*[^)]*\))$/.test(s)) return true; // <password>, {pw}, [token]
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^%[A-Za-z_][A-Za-z0-9_]*%$|^\$\([^)]*\)$/.test(s)) return true; // env vars
  if (s.includes('{{') || s.includes('{%') || s.includes('$secrets') || s.includes('${')) return true;
  if (/^(.)\1{3,}$/.test(s)) return true; // ****, xxxx, 0000
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(s)) return true; // YOUR_API_KEY, an env var name
  const l = s.toLowerCase();
  if (/^(?:change[-_ ]?me|changeit|replace[-_ ]?me|todo|tbd|none|null|nil|undefined|empty|redacted|example|dummy|fake|test|secret|password|passwd|pass|pwd|token|api[-_ ]?key|key|value|string|your[-_ ].*|my[-_ ].*|xxx.*|\.\.\.|…)$/.test(l)) return true;
  return PLACEHOLDER_BODY.test(s);
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
  if (classes < 2) return /^[a-f0-9]{32,}$/i.test(s) && entropy(s) >= 3.3; // hex keys
  return entropy(s) >= (s.length >= 32 ? 3.5 : 3.2);
}

/** Token formats found in `value`. */
export function findTokens(value: string): CredentialMatch[] {
  if (!TOKEN_HINT.test(value)) return [];
  const out: CredentialMatch[] = [];
  for (const p of TOKENS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(value); m; m = p.re.exec(value)) {
      const body = m[2] ?? '';
      if (p.body && !p.body(body)) continue;
      if (PLACEHOLDER_BODY.test(body) || /^(.)\1+$/.test(body)) continue;
      if (out.some((o) => o.start < m.index + m[0].length && m.index < o.end)) continue;
      out.push({
        start: m.index,
        end: m.index + m[0].length,
        label: typeof p.label === 'string' ? p.label : p.label(m),
        prefix: p.prefix(m),
        name: p.name(m),
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
    if (isPlaceholder(pw) || pw.includes('$') || pw.includes('{')) continue;
    const start = m.index + m[0].length - 1 - pw.length;
    out.push({ start, end: start + pw.length, label: 'a password in the URL', prefix: '', name: { stem: 'password' } });
  }
  SECRET_QUERY.lastIndex = 0;
  for (let m = SECRET_QUERY.exec(value); m; m = SECRET_QUERY.exec(value)) {
    const v = m[2] as string;
    const param = (m[1] as string).toLowerCase();
    const strong = /pass|pwd|secret/.test(param);
    if (isPlaceholder(v) || v.includes('$') || v.includes('{')) continue;
    if (!(strong ? v.length >= 6 && !/^[a-z]+$/i.test(v) : looksRandom(decodeSafe(v)))) continue;
    const start = m.index + m[0].length - v.length;
    out.push({ start, end: start + v.length, label: `a secret in the URL's "${m[1]}" parameter`, prefix: '', name: { stem: snake(param === 'key' ? 'api_key' : param) } });
  }
  return out;
}

// Field names that say "this holds a secret". `token_url`, `secret_name`, `max_tokens` do not.
const PASSWORD_FIELD = /^(?:.*[_-])?(?:password|passwd|pwd|passphrase)$/i;
const SECRET_FIELD = /^(?:.*[_-])?(?:api[_-]?key|apikey|secret|secret[_-]?key|client[_-]?secret|token|access[_-]?token|auth[_-]?token|bearer[_-]?token|refresh[_-]?token|access[_-]?key|secret[_-]?access[_-]?key|private[_-]?key|credentials?|auth|authorization|x[_-]api[_-]key|webhook[_-]?secret|signing[_-]?secret)$/i;
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Bot|Key|ApiKey|SSWS|OAuth)\s+/i;

/**
 * A literal secret in a field named like one: any non-placeholder literal for a password field,
 * a random-looking literal for `api_key`/`token`/`Authorization` (after `Bearer `).
 */
export function findFieldSecret(field: string, value: string): CredentialMatch | undefined {
  if (value.length > INTERNAL_LIMITS.pastedFieldChars) return undefined;
  const isPassword = PASSWORD_FIELD.test(field);
  if (!isPassword && !SECRET_FIELD.test(field)) return undefined;
  const scheme = AUTH_SCHEME.exec(value);
  const start = scheme ? scheme[0].length : 0;
  const body = value.slice(start).trim();
  if (isPlaceholder(body) || body.includes('$') || body.includes('{{')) return undefined;
  const ok = isPassword ? body.length >= 4 && !/\s/.test(body) && !/^(?:true|false|yes|no|on|off|required|optional|hidden|string)$/i.test(body) : looksRandom(body);
  if (!ok) return undefined;
  const stem = snake(field.replace(/^x[_-]/i, '')) || 'secret';
  return { start, end: start + body.length, label: isPassword ? `a password in "${clip(field)}"` : `a secret in "${clip(field)}"`, prefix: '', name: { stem: stem === 'authorization' || stem === 'auth' ? 'token' : stem } };
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


/**
 * `redact(text)`: masks every secret value a render used, wherever it shows up in logs or
 * output, as `[REDACTED:name]`. Each value is looked for raw, JSON-escaped, percent-encoded
 * (also with `+` for spaces), base64 (standard and URL-safe, padded or not, and at the three
 * byte alignments, so a value inside a larger base64 blob such as a Basic auth header is found),
 * and line by line when it spans lines. Outputs computed from secrets by filters or joins are
 * recorded at render time and masked too (labelled with the first secret they read).
 *
 * Very short strings (under MIN_MASKED = 4 characters) are not masked on their own: masking every
 * `a` or `42` would shred the text while hiding nothing worth hiding. They are still masked as
 * part of a longer variant or derived output that contains them.
 *
 * Longest match first: one regular expression whose alternatives are sorted by length.
 */
import type { Derived } from './evaluate.js';
import { isWellFormed, jsonEscape } from './filters.js';

/** Needles shorter than this are not masked in isolation. */
export const MIN_MASKED = 4;
/** Base64 fragments of unaligned encodings must be at least this long to be distinctive. */
const MIN_FRAGMENT = 8;

export interface UsedSecret {
  /** The name as written in the definition, used in the mask. */
  name: string;
  value: string;
}

/**
 * A redactor over the values of one render (`values[i]` is the value of `names[i]`, when used).
 * Nothing is computed until the first call: most renders are never redacted.
 */
export function makeRedactor(names: readonly string[], values: readonly (string | undefined)[], derived: readonly Derived[] | undefined): (text: string) => string {
  let matcher: { re: RegExp; names: Map<string, string> } | null | undefined;
  return (text: string): string => {
    if (typeof text !== 'string') return text;
    if (matcher === undefined) {
      const used: UsedSecret[] = [];
      names.forEach((name, i) => {
        const value = values[i];
        if (value !== undefined) used.push({ name, value });
      });
      matcher = build(used, derived);
    }
    if (matcher === null) return text;
    const { re, names: labels } = matcher;
    re.lastIndex = 0;
    return text.replace(re, (m) => `[REDACTED:${labels.get(m) ?? '?'}]`);
  };
}

function build(used: readonly UsedSecret[], derived: readonly Derived[] | undefined): { re: RegExp; names: Map<string, string> } | null {
  const names = new Map<string, string>();
  const add = (needle: string, name: string, min = MIN_MASKED): void => {
    if (needle.length >= min && !names.has(needle)) names.set(needle, name);
  };
  for (const { name, value } of used) {
    for (const v of variants(value)) add(v, name);
    for (const f of base64Fragments(value)) add(f, name, MIN_FRAGMENT);
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r\n|\r|\n/)) {
        add(line, name);
        add(line.trim(), name);
      }
    }
  }
  for (const d of derived ?? []) {
    add(d.text, d.name);
    add(jsonEscape(d.text), d.name);
  }
  if (names.size === 0) return null;
  const needles = [...names.keys()].sort((a, b) => b.length - a.length);
  return { re: new RegExp(needles.map(escapeRegExp).join('|'), 'g'), names };
}

function variants(value: string): string[] {
  const out = [value, jsonEscape(value)];
  if (isWellFormed(value)) {
    const pct = encodeURIComponent(value);
    out.push(pct, pct.replace(/%20/g, '+'));
    const b64 = Buffer.from(value, 'utf8').toString('base64');
    const bare = b64.replace(/=+$/, '');
    out.push(b64, bare, bare.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/**
 * The part of base64(prefix + value) that depends on the value alone, for prefixes of 0, 1 and 2
 * bytes: a value at any position inside a longer base64 text shows up as one of these.
 */
function base64Fragments(value: string): string[] {
  if (!isWellFormed(value)) return [];
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (const k of [0, 1, 2]) {
    const total = k + bytes.length;
    const buf = Buffer.alloc(total);
    bytes.copy(buf, k);
    const b64 = buf.toString('base64');
    // Chars of the first group hold prefix bits until bit 8k; char c covers bits [6c, 6c + 6).
    const from = k === 0 ? 0 : k === 1 ? 2 : 3;
    // The last, partial group: its chars are value-only while their bits end inside the data.
    const full = Math.floor(total / 3) * 4;
    const rest = total % 3;
    const to = full + (rest === 0 ? 0 : rest === 1 ? 1 : 2);
    const frag = b64.slice(from, to);
    out.push(frag, frag.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

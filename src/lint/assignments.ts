/**
 * Credentials assigned inside a string: shell and `.env` lines (`API_KEY=…`, `export TOKEN="…"`),
 * code (`client_secret = "…"`, `token := "…"`), JSON or YAML pasted into a string
 * (`"access_token": "…"`, `password: …` at the start of a line). The variable's name is judged by
 * the field rules of credentials.ts, so `primaryKey=…`, `key_length = …` or `token_url=…` are
 * left alone.
 *
 * A colon is an assignment only where JSON or YAML put one: after a quoted name, or after a name
 * at the start of a line. `initialize(token: …)`, `{apiKey:"…"}` in minified code and the parts
 * of an ARN are not. A query parameter (`?token=…`) is the URL detector's.
 *
 * One pass: each `=` or `:` reads a bounded name backwards and its value forwards, and the scan
 * resumes after the value, so separators inside a value are never read twice.
 */
import { INTERNAL_LIMITS } from '../limits.js';
import { findFieldSecret, secretKind, type CredentialMatch } from './credentials.js';

const SEPARATOR = /[=:]/g;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const MAX_NAME = 64;
// Where an unquoted value ends.
const VALUE_END = /[\s,;)\]}>&"'`]/;

/** Credentials assigned to variables named like secrets inside `value`. */
export function findAssignments(value: string): CredentialMatch[] {
  if (!value.includes('=') && !value.includes(':')) return [];
  const out: CredentialMatch[] = [];
  let consumed = 0;
  SEPARATOR.lastIndex = 0;
  for (let m = SEPARATOR.exec(value); m; m = SEPARATOR.exec(value)) {
    const at = m.index;
    if (at < consumed) {
      SEPARATOR.lastIndex = consumed;
      continue;
    }
    const sep = separatorAt(value, at);
    if (sep === undefined) continue;
    const name = nameBefore(value, at, consumed);
    if (name === undefined || (sep.colon && !name.quoted && !atLineStart(value, name.from))) continue;
    if (secretKind(name.text) === undefined) continue;
    const v = valueAfter(value, sep.end, /^(?:proxy[_-]?)?authorization$/i.test(name.text));
    consumed = v.next;
    SEPARATOR.lastIndex = Math.max(SEPARATOR.lastIndex, consumed);
    const found = findFieldSecret(name.text, value.slice(v.start, v.end));
    if (found) out.push({ ...found, start: v.start + found.start, end: v.start + found.end });
  }
  return out;
}

/** The separator at `at`: `=`, `:=` or `:`; not `==`, `=>`, `<=`, `::`, `://`. */
function separatorAt(s: string, at: number): { colon: boolean; end: number } | undefined {
  const c = s[at];
  const prev = s[at - 1];
  const next = s[at + 1];
  if (c === ':') {
    if (next === '=') return { colon: false, end: at + 2 };
    if (next === ':' || prev === ':' || next === '/') return undefined;
    return { colon: true, end: at + 1 };
  }
  if (next === '=' || next === '>' || prev === '=' || prev === '!' || prev === '<' || prev === '>' || prev === ':') return undefined;
  return { colon: false, end: at + 1 };
}

/** The name before the separator at `at` (blanks, then an optional quote around it). */
function nameBefore(s: string, at: number, floor: number): { text: string; quoted: boolean; from: number } | undefined {
  let i = at;
  for (let blanks = 0; i > floor && blanks < 3 && (s[i - 1] === ' ' || s[i - 1] === '\t'); blanks++) i--;
  const quote = s[i - 1] === '"' || s[i - 1] === "'" ? s[i - 1] : undefined;
  if (quote !== undefined) i--;
  const end = i;
  while (i > floor && end - i < MAX_NAME && NAME_CHAR.test(s[i - 1] as string)) i--;
  if (i === end || (i > 0 && NAME_CHAR.test(s[i - 1] as string))) return undefined; // empty, or longer than any name
  const text = s.slice(i, end);
  if (!NAME.test(text)) return undefined;
  if (quote !== undefined) {
    if (s[i - 1] !== quote) return undefined;
    i--;
  }
  const before = s[i - 1];
  if (before === '?' || before === '&') return undefined; // a URL query parameter
  return { text, quoted: quote !== undefined, from: i };
}

/** Only blanks and a YAML list dash between the line start and `at`. */
function atLineStart(s: string, at: number): boolean {
  let i = at;
  while (i > 0 && (s[i - 1] === ' ' || s[i - 1] === '\t')) i--;
  if (i > 0 && s[i - 1] === '-') {
    i--;
    while (i > 0 && (s[i - 1] === ' ' || s[i - 1] === '\t')) i--;
  }
  return i === 0 || s[i - 1] === '\n' || s[i - 1] === '\r';
}

/** The value after a separator: quoted up to its closing quote on the same line, else one word (the rest of the line for an Authorization header). */
function valueAfter(s: string, from: number, wholeLine: boolean): { start: number; end: number; next: number } {
  let i = from;
  for (let blanks = 0; i < s.length && blanks < 3 && (s[i] === ' ' || s[i] === '\t'); blanks++) i++;
  const limit = Math.min(s.length, i + INTERNAL_LIMITS.pastedFieldChars);
  const q = s[i];
  if (q === '"' || q === "'" || q === '`') {
    let j = i + 1;
    while (j < limit && s[j] !== q && s[j] !== '\n') j++;
    return { start: i + 1, end: j, next: j < limit && s[j] === q ? j + 1 : j };
  }
  let j = i;
  while (j < limit && (wholeLine ? s[j] !== '\n' && s[j] !== '\r' : !VALUE_END.test(s[j] as string))) j++;
  return { start: i, end: j, next: j };
}

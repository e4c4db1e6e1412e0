/**
 * Credentials given on a command line (a `command` field, a `curl …` string, an `args` list):
 * a header flag (`-H 'Authorization: Bearer …'`, `--header "X-Api-Key: …"`), a user flag
 * (`-u user:password`, `--user …`, curl's syntax) and a flag named like a secret
 * (`--token …`, `--api-key=…`, `--password …`). The header and flag names are judged by the
 * field rules of credentials.ts, so `-H 'Accept: …'` and `--log-level info` are left alone.
 *
 * Each flag is found once and its argument read once (one word, bounded); the scan resumes after
 * it, so the work is linear in the string.
 */
import { INTERNAL_LIMITS } from '../limits.js';
import { findFieldSecret, type CredentialMatch } from './credentials.js';
import { isPlaceholderPassword } from './placeholder.js';
import { literalWord, readShellWord, sourceSpan, type ShellWord } from './shell-word.js';

// A flag not glued to a word before it, then `=` or blanks, then its argument.
const FLAG = /(?<![\w-])(-H|-u|--[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?:=|[ \t]+)(?=\S)/g;
/** A string that is one flag and nothing else: the next list item is its argument. */
export const LONE_FLAG = /^(?:-H|-u|--[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Credentials passed to flags inside `value`. */
export function findCommandLineSecrets(value: string): CredentialMatch[] {
  if (!value.includes('-')) return [];
  const out: CredentialMatch[] = [];
  FLAG.lastIndex = 0;
  for (let m = FLAG.exec(value); m; m = FLAG.exec(value)) {
    const word = readShellWord(value, m.index + m[0].length, INTERNAL_LIMITS.pastedFieldChars);
    const found = findFlagArgumentSecret(m[1] as string, word);
    if (found) out.push(found);
    // Resume after the argument; an argument that is the next flag is read as a flag.
    if (!word.text.startsWith('-')) FLAG.lastIndex = Math.max(word.end, FLAG.lastIndex);
  }
  return out;
}

/** A credential in the argument of `flag` (`-H`, `--user`, `--token`, …), positioned on the source. */
export function findFlagArgumentSecret(flag: string, word: ShellWord): CredentialMatch | undefined {
  const text = word.text;
  if (text === '' || text.startsWith('-')) return undefined; // the next flag, not an argument
  if (flag === '-H' || flag === '--header') {
    const colon = text.indexOf(':');
    const name = text.slice(0, colon).trim();
    if (colon <= 0 || !HEADER_NAME.test(name)) return undefined;
    const lead = text.slice(colon + 1).length - text.slice(colon + 1).trimStart().length;
    const from = colon + 1 + lead;
    const m = findFieldSecret(name, text.slice(from).trimEnd());
    return m && at(word, from + m.start, from + m.end, m);
  }
  if (flag === '-u' || flag === '--user') {
    const colon = text.indexOf(':');
    if (colon === -1) return undefined; // the password is prompted for
    const user = text.slice(0, colon);
    const password = text.slice(colon + 1);
    if (/[\s$]/.test(password) || password.includes('{{') || isPlaceholderPassword(password, user)) return undefined;
    if (/^\d+$/.test(user) && /^\d+$/.test(password)) return undefined; // uid:gid (`docker run -u 1000:1000`)
    return at(word, colon + 1, text.length, { label: 'a password in the --user argument', prefix: '', name: { stem: 'password' } });
  }
  const m = findFieldSecret(flag.replace(/^-+/, ''), text);
  return m && at(word, m.start, m.end, m);
}

/** A credential in a list item that follows a lone flag (`args: [--token, …]`). */
export function findSiblingFlagSecret(flag: string, item: string): CredentialMatch | undefined {
  return LONE_FLAG.test(flag) ? findFlagArgumentSecret(flag, literalWord(item)) : undefined;
}

function at(word: ShellWord, from: number, to: number, m: Pick<CredentialMatch, 'label' | 'prefix' | 'name'>): CredentialMatch | undefined {
  if (to <= from) return undefined;
  const [start, end] = sourceSpan(word, from, to);
  return { start, end, label: m.label, prefix: m.prefix, name: m.name };
}

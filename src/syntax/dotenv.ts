/**
 * Environment files (`.env`) as a definition format: `KEY=value` lines whose values may hold
 * references (`DB_PASSWORD=$secrets.db_password`, `DSN=postgresql://app:${secrets.db_password}@db/app`).
 *
 * The reading is the one the `dotenv` package documents (and python-dotenv and docker compose
 * share for these forms): blank lines and `#` comment lines are skipped; `export ` before a key
 * is allowed; a key is `[A-Za-z0-9_.-]+`; an unquoted value runs to the end of the line, a `#`
 * after whitespace starts a comment, and surrounding whitespace is trimmed; a single-quoted or
 * backtick-quoted value is literal and may span lines; a double-quoted value may span lines and
 * reads `\n`, `\r`, `\t`, `\"` and `\\` as escapes (any other backslash is kept as written).
 *
 * A small scanner rather than the `dotenv` package: dotenv's parser is one regular expression
 * that yields no positions and silently skips a line it cannot read, while lint needs the
 * offset of every value character (a reference points at itself) and a positioned error for
 * every malformed line. `formatDotenvValue` writes what this scanner reads back exactly.
 */

/** One `KEY=value` entry; offsets are into the source. */
export interface DotenvEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  /** The value as the quoting defines it (quotes removed, escapes read). */
  value: string;
  /** `map[i]` is the source offset of value character `i`; `map[value.length]` is just past the value. */
  map: Int32Array;
  /** The value as written, quotes included: [start, end). */
  start: number;
  end: number;
}

export interface DotenvProblem {
  message: string;
  at: [number, number];
}

export interface DotenvScan {
  entries: DotenvEntry[];
  problems: DotenvProblem[];
}

const KEY_CHAR = /[A-Za-z0-9_.-]/;
/** Keys `formatDotenv` writes and `secretref run` exports (the same set the scanner reads). */
export const DOTENV_KEY = /^[A-Za-z0-9_.-]+$/;

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isEol = (c: string | undefined): boolean => c === undefined || c === '\n' || c === '\r';

/** Every entry and every problem of an environment file, in one pass. Never throws. */
export function scanDotenv(source: string): DotenvScan {
  const entries: DotenvEntry[] = [];
  const problems: DotenvProblem[] = [];
  const n = source.length;
  let i = 0;
  const skipBlanks = (): void => {
    while (isBlank(source[i])) i++;
  };
  const toEol = (): void => {
    while (i < n && !isEol(source[i])) i++;
  };
  const nextLine = (): void => {
    toEol();
    if (source[i] === '\r') i++;
    if (source[i] === '\n') i++;
  };
  // A UTF-8 byte-order mark at the very start is not part of the first key.
  if (source.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const lineStart = i;
    skipBlanks();
    if (isEol(source[i]) || source[i] === '#') {
      nextLine();
      continue;
    }
    if (source.startsWith('export', i) && isBlank(source[i + 6])) {
      i += 6;
      skipBlanks();
    }
    const keyStart = i;
    while (i < n && KEY_CHAR.test(source[i] as string)) i++;
    const keyEnd = i;
    skipBlanks();
    if (keyEnd === keyStart || source[i] !== '=') {
      toEol();
      problems.push({ message: keyEnd === keyStart ? 'Expected a line KEY=value (a key is letters, digits, _ . -), a # comment or a blank line.' : `Expected "=" after the key ${source.slice(keyStart, keyEnd)}.`, at: [lineStart, Math.max(i, lineStart + 1)] });
      nextLine();
      continue;
    }
    i++; // '='
    skipBlanks();
    const start = i;
    const quote = source[i];
    const chars: string[] = [];
    const offs: number[] = [];
    if (quote === "'" || quote === '"' || quote === '`') {
      i++;
      let closed = false;
      while (i < n) {
        const c = source[i] as string;
        if (c === quote) {
          closed = true;
          break;
        }
        if (quote === '"' && c === '\\') {
          const e = source[i + 1];
          const read = e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === '"' || e === '\\' ? e : undefined;
          if (read !== undefined) {
            chars.push(read);
            offs.push(i);
            i += 2;
            continue;
          }
        }
        chars.push(c);
        offs.push(i);
        i++;
      }
      if (!closed) {
        problems.push({ message: `The value of ${source.slice(keyStart, keyEnd)} opens a ${quote} quote that is never closed.`, at: [start, start + 1] });
        break;
      }
      offs.push(i);
      i++; // closing quote
      const end = i;
      skipBlanks();
      if (!isEol(source[i]) && source[i] !== '#') {
        const junk = i;
        toEol();
        problems.push({ message: `Text after the closing quote of ${source.slice(keyStart, keyEnd)}; put a # before a comment, or quote the whole value.`, at: [junk, i] });
      }
      entries.push({ key: source.slice(keyStart, keyEnd), keyStart, keyEnd, value: chars.join(''), map: Int32Array.from(offs), start, end });
    } else {
      let last = i; // just past the last character that is not a blank
      while (i < n && !isEol(source[i])) {
        const c = source[i] as string;
        if (c === '#' && (i === start || isBlank(source[i - 1]))) break;
        if (!isBlank(c)) last = i + 1;
        i++;
      }
      for (let k = start; k < last; k++) {
        chars.push(source[k] as string);
        offs.push(k);
      }
      offs.push(last);
      entries.push({ key: source.slice(keyStart, keyEnd), keyStart, keyEnd, value: chars.join(''), map: Int32Array.from(offs), start, end: last });
    }
    nextLine();
  }
  return { entries, problems };
}

/**
 * One value as a dotenv line writes it, so that `scanDotenv` reads back exactly `value`: single
 * quotes (literal in every dotenv reader) unless the value holds a quote, a backslash or a line
 * break, else double quotes with `\\`, `\"`, `\n`, `\r` escaped. No value can end its quotes early,
 * so none can start another variable.
 */
export function formatDotenvValue(value: string): string {
  if (!/['\\\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/[\\"\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`))}"`;
}

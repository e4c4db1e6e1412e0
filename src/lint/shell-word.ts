/**
 * One word of a POSIX shell command line, read the way the shell reads it: `'…'` is literal,
 * `"…"` keeps everything but `\"`, `\\`, `` \` `` and `\$`, a backslash outside quotes escapes
 * the next character, and unquoted blanks end the word (`--user kevin:'p4ss'` is one word,
 * `kevin:p4ss`). Each character of the result remembers where it came from, so a finding inside
 * the word is positioned on the source text.
 */

/** A word with the source index of each of its characters. */
export interface ShellWord {
  /** The word after quote removal. */
  text: string;
  /** `at[i]` is the index in the source of `text[i]`. */
  at: number[];
  /** Index in the source just past the word. */
  end: number;
}

/** The word starting at `from` (at most `max` source characters). */
export function readShellWord(s: string, from: number, max: number): ShellWord {
  let text = '';
  const at: number[] = [];
  const limit = Math.min(s.length, from + max);
  let i = from;
  let quote: "'" | '"' | undefined;
  for (; i < limit; i++) {
    const c = s[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else push(c, i);
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < limit && /["\\$`]/.test(s[i + 1] as string)) push(s[++i] as string, i);
      else push(c, i);
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < limit) push(s[++i] as string, i);
    else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
    else push(c, i);
  }
  return { text, at, end: i };

  function push(c: string, index: number): void {
    text += c;
    at.push(index);
  }
}

/** The word as it stands (no quotes to remove): a list item that is one argument. */
export function literalWord(s: string): ShellWord {
  return { text: s, at: Array.from({ length: s.length }, (_, i) => i), end: s.length };
}

/** Source span `[start, end)` of the word's characters `[from, to)`. */
export function sourceSpan(w: ShellWord, from: number, to: number): [number, number] {
  return [w.at[from] as number, (w.at[to - 1] as number) + 1];
}

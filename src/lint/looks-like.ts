/**
 * LOOKS_LIKE_REFERENCE: text that a person meant as a reference but that the language does not
 * recognise, so it would reach the tool literally: `$secret.x` (singular), `$SECRETS.x` (case),
 * `$ secrets.x` inside a longer string, `$secrets .x`, `{{ secret.x }}`, `{{ Secrets.x }}`,
 * `{secrets.x}` (an f-string without its `$ f'…'`). `$$secrets.x` is the documented escape and
 * is left alone.
 */
import { clip } from '../errors.js';
import type { LocalFinding } from './context.js';

const NAME = '([A-Za-z_][A-Za-z0-9_-]*)';
// `$` (not escaped by another `$`), optional `{`, spaces, a word like "secrets", spaces, `.`, a name.
const DOLLAR = new RegExp(`(?<!\\$)\\$(\\{)?(\\s*)(secrets?)(\\s*)\\.\\s*${NAME}`, 'gi');
const MUSTACHE = new RegExp(`\\{\\{-?\\s*(secrets?)\\s*(?:\\.\\s*${NAME}|\\[\\s*["']([^"'\\]]{1,128})["']\\s*\\])`, 'gi');
const SINGLE_BRACE = new RegExp(`(?<![{$])\\{\\s*(secrets?)\\s*\\.\\s*${NAME}\\s*\\}(?!\\})`, 'gi');

/** Cheap pre-check: every pattern needs "secret" in some case. */
const HINT = /secret/i;

/**
 * Misspelled references in `value`. `skip(start, end)` says a span is already a real reference
 * (or a reported problem) and must not be reported again.
 */
export function findLookalikes(value: string, skip: (start: number, end: number) => boolean): LocalFinding[] {
  if (!HINT.test(value) || (!value.includes('$') && !value.includes('{'))) return [];
  const out: LocalFinding[] = [];
  const add = (start: number, end: number, what: string, suggestion: string): void => {
    if (skip(start, end) || out.some((o) => o.start < end && start < o.end)) return;
    out.push({
      code: 'LOOKS_LIKE_REFERENCE',
      message: `"${clip(what, 60)}" is not a secret reference and would be sent as literal text; write ${suggestion}.`,
      start,
      end,
      suggestion,
    });
  };

  DOLLAR.lastIndex = 0;
  for (let m = DOLLAR.exec(value); m; m = DOLLAR.exec(value)) {
    const [text, brace, ws1, word, ws2, name] = m as unknown as [string, string | undefined, string, string, string, string];
    const exact = word === 'secrets' && ws2 === '';
    if (exact && brace) continue; // ${secrets.x} and ${ secrets.x } are references
    if (exact && ws1 === '') continue; // $secrets.x is a reference
    if (exact && m.index === 0) continue; // "$ secrets.x" as the whole string is an expression
    let end = m.index + text.length;
    if (brace) {
      const close = value.indexOf('}', end);
      if (close !== -1 && close - end < 8) end = close + 1;
    }
    add(m.index, end, value.slice(m.index, end), brace ? `\${secrets.${name}}` : `$secrets.${name}`);
  }

  MUSTACHE.lastIndex = 0;
  for (let m = MUSTACHE.exec(value); m; m = MUSTACHE.exec(value)) {
    const word = m[1] as string;
    if (word === 'secrets') continue; // a real template reference (or the syntax layer's problem)
    const name = (m[2] ?? m[3]) as string;
    const close = value.indexOf('}}', m.index);
    const end = close === -1 ? m.index + m[0].length : close + 2;
    add(m.index, end, value.slice(m.index, end), `{{ secrets.${name} }}`);
  }

  SINGLE_BRACE.lastIndex = 0;
  for (let m = SINGLE_BRACE.exec(value); m; m = SINGLE_BRACE.exec(value)) {
    add(m.index, m.index + m[0].length, m[0], `\${secrets.${m[2] as string}}`);
  }
  return out;
}



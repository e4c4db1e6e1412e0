/**
 * A secret value written as Python source for the place it lands (grammar/julep.md §3). Every
 * form is a constant: nothing in it can name a variable, open a field or end its string, so
 * Julep reads the value once, as data.
 */

/** `\xNN`, `\uNNNN` or `\UNNNNNNNN` for one code point (a lone surrogate is one code point too). */
export function escapeCodePoint(cp: number): string {
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** Printable ASCII that means only itself in a Python string literal and in Julep's string rules. */
function plainInLiteral(cp: number): boolean {
  // Not: \ ' " (quoting), { } (f-string fields, Julep's `{{` rule), [ ] (Julep's `inputs[` rule).
  return cp >= 0x20 && cp <= 0x7e && cp !== 0x5c && cp !== 0x27 && cp !== 0x22 && cp !== 0x7b && cp !== 0x7d && cp !== 0x5b && cp !== 0x5d;
}

/** A Python string literal, for a reference in expression position. */
export function pythonLiteral(value: string): string {
  let out = "'";
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    out += plainInLiteral(cp) ? ch : escapeCodePoint(cp);
  }
  return `${out}'`;
}

/** One character of f-string text: itself when `plain`, else (or when forced) its escape. */
export interface TextUnit {
  ch: string;
  escaped: string;
  plain: boolean;
}

/** The value as f-string literal text units (spliceJulep decides which edge units to escape). */
export function textUnits(value: string): TextUnit[] {
  const out: TextUnit[] = [];
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    out.push({ ch, escaped: escapeCodePoint(cp), plain: plainInLiteral(cp) });
  }
  return out;
}

/** Characters that may stand for themselves inside an f-string field on Python 3.11. */
const FIELD_PLAIN = /^[A-Za-z0-9 ,./;=?@^_|~()*+<>&$:!`-]$/;

/**
 * A literal that is legal inside an f-string field on Python 3.11, which allows no backslash
 * there: other characters come from `%c` conversions, e.g. `('a%cb' % (92,))` for `a\b`.
 */
export function fieldLiteral(value: string, quote: "'" | '"'): string {
  let fmt = '';
  const codes: number[] = [];
  for (const ch of value) {
    if (FIELD_PLAIN.test(ch)) fmt += ch;
    else {
      fmt += '%c';
      codes.push(ch.codePointAt(0) as number);
    }
  }
  if (codes.length === 0) return `(${quote}${fmt}${quote})`;
  return `(${quote}${fmt}${quote} % (${codes.join(', ')}${codes.length === 1 ? ',' : ''}))`;
}

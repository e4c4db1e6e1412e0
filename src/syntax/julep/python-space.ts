/** Python's `str.isspace()` / `str.strip()`, which Julep applies to every string before evaluating it. */

const SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** True when the UTF-16 unit `code` is whitespace to Python (all of them are in the BMP). */
export function isPythonSpace(code: number): boolean {
  return SPACE.has(code);
}

/** [start, end) of `s` once Python's `strip()` has removed surrounding whitespace. */
export function stripBounds(s: string, from = 0, to = s.length): [number, number] {
  let a = from;
  let b = to;
  while (a < b && isPythonSpace(s.charCodeAt(a))) a++;
  while (b > a && isPythonSpace(s.charCodeAt(b - 1))) b--;
  return [a, b];
}

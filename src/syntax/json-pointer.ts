/** RFC 6901 JSON pointer of a path (`['a/b', 0]` → `/a~1b/0`). */
export function jsonPointer(keys: readonly (string | number)[]): string {
  let out = '';
  for (const k of keys) {
    const s = String(k);
    out += '/' + (s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s);
  }
  return out;
}

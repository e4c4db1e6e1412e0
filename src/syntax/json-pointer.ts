/** RFC 6901 JSON pointer of a path (`['a/b', 0]` → `/a~1b/0`). */
export function jsonPointer(keys: readonly (string | number)[]): string {
  let out = '';
  for (const k of keys) out += '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

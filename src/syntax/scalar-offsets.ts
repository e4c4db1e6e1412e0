/**
 * Maps an index in a YAML/JSON scalar's value to an offset in the source text, so a reference
 * inside a string points at itself in the file. Exact for plain, single- and double-quoted
 * (escapes included) and block scalars; folded multi-line scalars are aligned line by line.
 * When the alignment cannot be verified, every index maps to the scalar's start (line exact).
 */
export type ScalarKind = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

export type OffsetMap = (index: number) => number;

const WS = new Set([' ', '\t', '\r', '\n']);

export function scalarOffsets(source: string, start: number, end: number, kind: ScalarKind | undefined, value: string): OffsetMap {
  // Most scalars are their source text on one line: the value starts at the scalar (past its
  // quote), one character for one character. No escape, doubled quote or line break can hide in a
  // value that has none of them and reads the same in the source.
  if (kind !== 'BLOCK_LITERAL' && kind !== 'BLOCK_FOLDED') {
    const base = kind === 'QUOTE_DOUBLE' || kind === 'QUOTE_SINGLE' ? start + 1 : start;
    const escapes = kind === 'QUOTE_DOUBLE' ? '\\' : kind === 'QUOTE_SINGLE' ? "'" : undefined;
    if (base + value.length <= end && !value.includes('\n') && (escapes === undefined || !value.includes(escapes)) && source.startsWith(value, base)) {
      return (i) => base + (i >= value.length ? value.length : Math.max(0, i));
    }
  }
  const map = align(source, start, end, kind, value);
  if (!map) return () => start;
  return (i) => (i >= value.length ? (map[value.length] as number) : (map[Math.max(0, i)] as number));
}

function align(src: string, start: number, end: number, kind: ScalarKind | undefined, v: string): Int32Array | null {
  const map = new Int32Array(v.length + 1);
  let i = start;
  let j = 0;
  if (kind === 'QUOTE_DOUBLE' || kind === 'QUOTE_SINGLE') i++;
  if (kind === 'BLOCK_LITERAL' || kind === 'BLOCK_FOLDED') return alignBlock(src, start, end, v, map);
  while (j < v.length && i < end) {
    const c = src[i] as string;
    if (kind === 'QUOTE_DOUBLE' && c === '\\') {
      const e = src[i + 1];
      if (e === '\n' || e === '\r') {
        i += 2;
        while (i < end && WS.has(src[i] as string)) i++;
        continue;
      }
      const len = e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
      const produced = e === 'U' ? String.fromCodePoint(parseInt(src.slice(i + 2, i + 10), 16) || 0).length : 1;
      for (let k = 0; k < produced && j < v.length; k++) map[j++] = i;
      i += len;
      continue;
    }
    if (kind === 'QUOTE_SINGLE' && c === "'" && src[i + 1] === "'") {
      map[j++] = i;
      i += 2;
      continue;
    }
    if (WS.has(c)) {
      // A whitespace run with a line break is folded: trailing and leading blanks vanish and the
      // break becomes one space or n-1 newlines.
      let k = i;
      let breaks = 0;
      while (k < end && WS.has(src[k] as string)) {
        if (src[k] === '\n') breaks++;
        k++;
      }
      if (breaks > 0) {
        const folded = breaks === 1 ? 1 : breaks - 1;
        for (let n = 0; n < folded && j < v.length && (v[j] === ' ' || v[j] === '\n'); n++) map[j++] = i;
        i = k;
        continue;
      }
    }
    if (c !== v[j]) return null;
    map[j++] = i++;
  }
  if (j < v.length) return null;
  map[v.length] = i;
  return map;
}

function alignBlock(src: string, start: number, end: number, v: string, map: Int32Array): Int32Array | null {
  let i = src.indexOf('\n', start);
  if (i === -1 || i >= end) return v.length === 0 ? map.fill(start) : null;
  i++;
  // Indentation of the first non-empty content line; an indentation indicator (`|2`) can make
  // it smaller, so narrower indents are tried when the first does not align.
  let indent = 0;
  for (let k = i; k < end; ) {
    let n = 0;
    while (src[k + n] === ' ') n++;
    if (src[k + n] === '\r' && src[k + n + 1] === '\n') n++;
    if (src[k + n] === '\n') {
      k += n + 1;
      continue;
    }
    indent = n;
    break;
  }
  for (let at = indent; at >= 0; at--) {
    if (alignBlockAt(src, i, end, v, map, at)) return map;
  }
  return null;
}

function alignBlockAt(src: string, from: number, end: number, v: string, map: Int32Array, indent: number): boolean {
  let i = from;
  let j = 0;
  while (j < v.length && i < end) {
    let n = 0;
    while (n < indent && src[i + n] === ' ') n++;
    i += n;
    while (i < end && src[i] !== '\n' && j < v.length) {
      // A CRLF line break is one `\n` in the value.
      if (src[i] === '\r' && src[i + 1] === '\n' && v[j] !== '\r') break;
      if (src[i] !== v[j]) return false;
      map[j++] = i++;
    }
    // The value ends on this line: its end is here, not at the start of the next line.
    if (j === v.length) break;
    const lineEnd = i;
    if (src[i] === '\r' && src[i + 1] === '\n') i++;
    if (v[j] === '\n' || v[j] === ' ') map[j++] = lineEnd;
    i++;
  }
  if (j < v.length) return false;
  map[v.length] = Math.min(i, end);
  return true;
}

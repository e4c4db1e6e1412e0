/**
 * Deterministic, hostile secret values for the crash and load suites: the value of secret `i` at
 * generation `gen` is a pure function of both, so a child process and the test agree on it without
 * passing values around, and a value read back tells which generation it is.
 */

const HOSTILE = [
  '',
  "quote'd",
  'dq"uote',
  'back\\slash',
  '$secrets.other',
  '{{ secrets.x }}',
  'multi\nline\r\nvalue',
  'tab\there',
  'emoji 🔑🗝️',
  'ünïcödé ßø',
  '%41%00%',
  '$$dollar$$',
  '--comment; drop table x;',
  '\u2028\u2029',
  ' leading and trailing ',
];

/** The value of secret `i` at generation `gen` (byte-exact round trip expected). */
export function valueOf(i: number, gen: number): string {
  const h = HOSTILE[(i * 7 + gen * 3) % HOSTILE.length] as string;
  return `v${i}.g${gen}|${h}|${'x'.repeat((i * 31 + gen) % 97)}`;
}

/** The generation a value of secret `i` belongs to, or undefined when it is none of its values. */
export function generationOf(i: number, value: string): number | undefined {
  const m = /^v(\d+)\.g(\d+)\|/.exec(value);
  if (!m || Number(m[1]) !== i) return undefined;
  const gen = Number(m[2]);
  return valueOf(i, gen) === value ? gen : undefined;
}

/** Names used by the crash suites: `s_<i>`. */
export function secretName(i: number): string {
  return `s_${i}`;
}

/** Index of a `s_<i>` name. */
export function indexOf(name: string): number {
  return Number(name.slice(2));
}

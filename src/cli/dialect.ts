/**
 * The reference dialects a definition can be read in (issue 13): `secretref` (this project's
 * language, the default) and `julep` (Julep's own evaluation rules). The CLI picks one per file —
 * `--dialect`, else the project config file, else the default — passes it to the library as the
 * `dialect` option, and says in every output which one it used.
 */
import { UsageError } from './usage-error.js';

export const DIALECTS = ['secretref', 'julep'] as const;
export type Dialect = (typeof DIALECTS)[number];
export const DEFAULT_DIALECT: Dialect = 'secretref';

/**
 * The library option the CLI passes. Until the library's own options declare it, it travels as
 * an extra property of `analyzeSource`/`lint`/`render` options (typed here so it is checked).
 */
export interface DialectOption {
  dialect?: Dialect;
}

export function isDialect(text: unknown): text is Dialect {
  return typeof text === 'string' && (DIALECTS as readonly string[]).includes(text);
}

/** `--dialect` on the command line. */
export function parseDialect(text: string | undefined): Dialect | undefined {
  if (text === undefined) return undefined;
  if (!isDialect(text)) throw new UsageError(`--dialect takes ${DIALECTS.join(' or ')}; got "${text}".`);
  return text;
}

/** For a text summary: `dialect julep`, or `dialects secretref 3, julep 2` when files differ. */
export function describeDialects(dialects: readonly Dialect[]): string {
  const counts = new Map<Dialect, number>();
  for (const d of dialects) counts.set(d, (counts.get(d) ?? 0) + 1);
  if (counts.size === 0) return `dialect ${DEFAULT_DIALECT}`;
  if (counts.size === 1) return `dialect ${[...counts.keys()][0] ?? DEFAULT_DIALECT}`;
  return `dialects ${[...counts].map(([d, n]) => `${d} ${n}`).join(', ')}`;
}

/**
 * Choosing the dialect a file is read in (issue 13): `--dialect`, else the project config file,
 * else the library's default. The names themselves are the library's (`DIALECTS`).
 */
import { DEFAULT_DIALECT, DIALECTS } from '../core.js';
import type { Dialect } from '../index.js';
import { UsageError } from './usage-error.js';

export { DEFAULT_DIALECT, DIALECTS, type Dialect };

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

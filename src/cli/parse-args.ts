/** Small parsers for option values; each failure is a usage error (exit 2). */
import { UsageError } from './usage-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `24h`, `30d`, `2w` → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} takes a duration like 90s, 15m, 24h, 30d or 2w; got "${text}".`);
  return Math.round(Number(m[1]) * (UNITS[m[2] as string] as number));
}

/** An ISO 8601 date/time, or a duration from now (`30d`). */
export function parseTime(text: string, flag: string, now = Date.now(), direction: 1 | -1 = 1): Date {
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d|w)$/.test(text.trim())) return new Date(now + direction * parseDuration(text, flag));
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} takes an ISO date (2026-12-31 or 2026-12-31T23:59:00Z) or a duration (30d); got "${text}".`);
  return d;
}

/** Repeated `k=v` pairs into an object; `k=` (empty) gives null, which removes the key on update. */
export function parsePairs(pairs: readonly string[] | undefined, flag: string): Record<string, string | null> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string | null> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} takes key=value; got "${p}".`);
    Object.defineProperty(out, p.slice(0, eq), { value: eq === p.length - 1 ? null : p.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Comma-separated list option, repeatable. */
export function parseList(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive integer option (`--limit 50`). */
export function parsePositiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag} takes a positive whole number; got "${text}".`);
  return Number(text);
}


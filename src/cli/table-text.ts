import type { CliContext } from './context.js';

/** Left-aligned columns for text output (`secrets list`, `audit`). */
export function printTable(ctx: CliContext, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  ctx.out(line(head));
  for (const r of rows) ctx.out(line(r));
}

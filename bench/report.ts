/**
 * The benchmark report: one row per figure (ours, baseline, ratio, target, pass/fail), printed as
 * a text table, a Markdown table (bench/RESULTS.md) or JSON (`npm run bench -- --json`).
 */
import type { Machine } from './measure.js';

export interface Row {
  figure: string;
  /** Our measurement, formatted with its unit. */
  ours: string;
  /** The baseline's measurement, or '—' when the figure has none. */
  baseline: string;
  /** Baseline / ours (or ours / baseline where the target says "slower"), formatted; '—' if none. */
  ratio: string;
  target: string;
  /** `null`: a figure to report, with no pass/fail target. */
  pass: boolean | null;
  /** Numbers behind the row, for --json. */
  values: Record<string, number | string | boolean>;
  note?: string;
}

export interface Report {
  version: 1;
  date: string;
  machine: Machine;
  command: string;
  seconds: number;
  rows: Row[];
  /** Raw figures of each benchmark module. */
  details: Record<string, unknown>;
}

export const status = (pass: boolean | null): string => (pass === null ? 'report' : pass ? 'pass' : 'FAIL');

/** Number with `digits` significant-ish decimals: 1234 → "1,234", 12.3 → "12.3", 0.0123 → "0.0123". */
export function num(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(digits)).toString();
}

export function ms(x: number): string {
  return x < 1 ? `${num(x * 1000)} µs` : `${num(x)} ms`;
}

/** A ratio with three significant digits kept (3.004 must not print as a passing "3"). */
export function times(r: number): string {
  return `${Number.isFinite(r) && Math.abs(r) < 100 ? r.toPrecision(3) : num(r)}×`;
}

function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node.js ${m.node} (load average ${m.loadAverage} at start)`;
}

const COLUMNS = ['figure', 'ours', 'baseline', 'ratio', 'target', 'result'] as const;

function cells(r: Row): string[] {
  return [r.figure, r.ours, r.baseline, r.ratio, r.target, status(r.pass)];
}

/** Plain-text table for a terminal. */
export function formatText(report: Report): string {
  const rows = [COLUMNS as readonly string[], ...report.rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join('  ').trimEnd();
  const out = [`machine: ${machineLine(report.machine)}`, '', line(rows[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  const notes = report.rows.filter((r) => r.note);
  if (notes.length) {
    out.push('');
    for (const r of notes) out.push(`- ${r.figure}: ${r.note}`);
  }
  const failed = report.rows.filter((r) => r.pass === false).length;
  out.push('', `${report.rows.length} figures, ${failed} target(s) missed, ${num(report.seconds)} s.`);
  return `${out.join('\n')}\n`;
}

/** The README section: table as measured, the machine, the command. */
export function formatMarkdown(report: Report): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const out = [
    '## Performance',
    '',
    `Measured with \`${report.command}\` on ${report.date.slice(0, 10)}: ${machineLine(report.machine)}. ` +
      'Times are medians over several samples (tinybench: warm-up, then samples; fresh processes for ' +
      'the command line); each ratio comes from measurements taken in the same run, so it holds on a ' +
      'busy machine where absolute times drift. Resolver and store figures run against a throwaway ' +
      'PostgreSQL 15 server started the way the test suite starts it; the `render` process uses the ' +
      'embedded store (PGlite).',
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...report.rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
    '',
  ];
  const notes = report.rows.filter((r) => r.note);
  if (notes.length) {
    for (const r of notes) out.push(`- **${esc(r.figure)}**: ${r.note}`);
    out.push('');
  }
  out.push('Reproduce: `npm ci && npm run bench` (about a minute; `npm run -s bench -- --json` for machine-readable output, `-- --strict` to fail on a missed target; needs the PostgreSQL 15 binaries, see `test/setup/pg-server.ts`).', '');
  return out.join('\n');
}

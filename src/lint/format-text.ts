/**
 * The text report: one `file:line:col: severity CODE message` line per diagnostic (the shape
 * compilers use, so editors and CI annotate it), plus, when asked, a caret excerpt of the source
 * line. Excerpts mask every pasted credential's span so a report never echoes one.
 */
import type { Diagnostic } from './diagnostic.js';
import type { Severity } from './rules.js';

/** Options of the text report. */
export interface TextFormatOptions {
  /** File name for diagnostics without `file`. */
  filename?: string;
  /** ANSI colours (the CLI turns this on for a terminal without NO_COLOR). */
  color?: boolean;
  /** Source text (or texts by file name) for caret excerpts. */
  source?: string | ReadonlyMap<string, string>;
  /** Print caret excerpts when a source is given. Default: `color`. */
  excerpt?: boolean;
}

export const STDIN_NAME = '<stdin>';

const COLORS: Record<Severity, string> = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m' };
const BOLD = '\u001b[1m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

export function formatText(diagnostics: readonly Diagnostic[], opts: TextFormatOptions = {}): string {
  const color = opts.color === true;
  const excerpt = (opts.excerpt ?? color) && opts.source !== undefined;
  const paint = (code: string, s: string): string => (color ? `${code}${s}${RESET}` : s);
  const lines: string[] = [];
  const linesOf = new Map<string, string[] | undefined>();
  for (const d of diagnostics) {
    if (d.suppression) continue; // accepted: counted in the summary, not listed
    const file = d.file ?? opts.filename ?? STDIN_NAME;
    const where = `${file}:${d.range.start.line}:${d.range.start.column}`;
    const suggestion = d.suggestion !== undefined ? ` (suggestion: ${d.suggestion})` : '';
    lines.push(`${paint(BOLD, where)}: ${paint(COLORS[d.severity], d.severity)} ${d.code} ${oneLine(d.message)}${suggestion}`);
    if (!excerpt) continue;
    if (!linesOf.has(file)) linesOf.set(file, sourceLines(opts.source, file, diagnostics));
    const src = linesOf.get(file);
    const text = src?.[d.range.start.line - 1];
    if (text === undefined) continue;
    const gutter = String(d.range.start.line);
    const pad = ' '.repeat(gutter.length);
    const from = d.range.start.column - 1;
    const to = d.range.end.line === d.range.start.line ? Math.max(from + 1, d.range.end.column - 1) : Math.max(from + 1, text.length);
    const caret = `${' '.repeat(Math.min(from, text.length))}^${'~'.repeat(Math.max(0, Math.min(to, text.length) - from - 1))}`;
    lines.push(`${paint(DIM, ` ${gutter} |`)} ${expandTabs(text)}`);
    lines.push(`${paint(DIM, ` ${pad} |`)} ${paint(COLORS[d.severity], caret)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The source lines of `file`, with every PASTED_CREDENTIAL span of that file replaced by `*`. */
function sourceLines(source: TextFormatOptions['source'], file: string, all: readonly Diagnostic[]): string[] | undefined {
  const text = typeof source === 'string' ? source : source?.get(file);
  if (text === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  for (const d of all) {
    if (d.code !== 'PASTED_CREDENTIAL' || (d.file ?? file) !== file) continue;
    for (let l = d.range.start.line; l <= d.range.end.line; l++) {
      const line = lines[l - 1];
      if (line === undefined) continue;
      const from = l === d.range.start.line ? d.range.start.column - 1 : 0;
      const to = l === d.range.end.line ? d.range.end.column - 1 : line.length;
      if (to > from) lines[l - 1] = line.slice(0, from) + '*'.repeat(to - from) + line.slice(to);
    }
  }
  return lines;
}

// Tabs would misalign the caret; one column per character keeps them aligned.
function expandTabs(s: string): string {
  return s.replace(/\t/g, ' ');
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

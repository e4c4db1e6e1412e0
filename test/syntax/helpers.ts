import { analyzeSource } from '../../src/syntax/index.js';
import type { Range } from '../../src/errors.js';

/** A range as a tuple `[startLine, startCol, endLine, endCol]` (1-based, end exclusive). */
export type Tuple = [number, number, number, number];

export function tuple(r: Range | undefined): Tuple | undefined {
  return r && [r.start.line, r.start.column, r.end.line, r.end.column];
}

/** The source text a range covers. */
export function textAt(source: string, r: Range | undefined): string {
  if (!r) return '';
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  const off = (line: number, col: number) => (starts[line - 1] ?? 0) + col - 1;
  return source.slice(off(r.start.line, r.start.column), off(r.end.line, r.end.column));
}

/** References of `source` as `[name, path, text at range]`. */
export function refs(source: string, vars?: string[]): [string, string, string][] {
  const d = analyzeSource(source, vars ? { vars } : {});
  return d.references.map((r) => [r.name, r.path, textAt(source, r.range)]);
}

/** Problems of `source` as `[code, path, text at range]`. */
export function problems(source: string, vars?: string[]): [string, string | undefined, string][] {
  const d = analyzeSource(source, vars ? { vars } : {});
  return d.problems.map((p) => [p.code, p.path, textAt(source, p.range)]);
}

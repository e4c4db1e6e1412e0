import type { Position, Range } from '../errors.js';

/** Turns 0-based offsets into 1-based line/column, computed only when a position is printed. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    const t = this.text;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
    return starts;
  }

  position(offset: number): Position {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

/**
 * Adds the 1-based `range` of each item's source `offset`: the one place positions become lines
 * and columns, at the edges (public results, error messages, lint diagnostics). Items without an
 * offset, or with a range already, are returned as they are.
 */
export function locate<T extends { offset?: [number, number]; range?: Range }>(items: readonly T[], lines: LineIndex | undefined): T[] {
  if (!lines) return items.slice();
  return items.map((x) => (x.offset === undefined || x.range !== undefined ? x : { ...x, range: lines.range(x.offset[0], x.offset[1]) }));
}

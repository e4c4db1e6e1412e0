import type { ErrorCode } from '../errors.js';

/** A problem inside one string value; offsets are indices into that value. */
export interface LocalProblem {
  code: ErrorCode;
  message: string;
  start: number;
  end: number;
  suggestion?: string;
}

/** A static reference inside one string value. */
export interface LocalRef {
  name: string;
  start: number;
  end: number;
  /** Missing is acceptable: the reference has a fallback (`??`, `||`, `default`, an `if` test). */
  optional: boolean;
}

/** Collects what a string's lowering finds, in one pass. */
export class Findings {
  readonly refs: LocalRef[] = [];
  readonly problems: LocalProblem[] = [];

  /** `value` is the whole string value being lowered. */
  constructor(readonly vars: ReadonlySet<string>, readonly value: string) {}

  problem(code: ErrorCode, message: string, start: number, end: number, suggestion?: string): void {
    this.problems.push(suggestion === undefined ? { code, message, start, end } : { code, message, start, end, suggestion });
  }
}

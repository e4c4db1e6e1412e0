import type { ErrorCode } from '../errors.js';

/**
 * A problem at [start, end) of one string value — the one shape every stage uses inside strings
 * (syntax, lint rules, render issues). Offsets are indices into that value; the document layer
 * maps them to source offsets, and lines/columns are computed only when printed.
 */
export interface Finding<Code extends string = ErrorCode> {
  code: Code;
  message: string;
  start: number;
  end: number;
  /** A concrete fix (a name or reference to write). Never a value. */
  suggestion?: string;
  /** The secret name concerned, when there is one. */
  name?: string;
  /** Overrides the code's default severity (lint). */
  severity?: 'error' | 'warning' | 'info';
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
  readonly problems: Finding[] = [];

  /** `value` is the whole string value being lowered. */
  constructor(readonly vars: ReadonlySet<string>, readonly value: string) {}

  problem(code: ErrorCode, message: string, start: number, end: number, suggestion?: string): void {
    this.problems.push(suggestion === undefined ? { code, message, start, end } : { code, message, start, end, suggestion });
  }
}

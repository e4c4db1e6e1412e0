import type { Range } from '../errors.js';
import type { Form, OutputContext } from './ir.js';

/** One static secret reference found in a document (SPEC §7). */
export interface Reference {
  /** The secret name as written (before any environment overlay). */
  name: string;
  form: Form;
  /** JSON pointer of the string value holding the reference. */
  path: string;
  /** 1-based range of the reference itself in the source; absent when analysing an object. */
  range?: Range;
  /** 0-based [start, end) source offsets of the reference (the range's source). */
  offset?: [number, number];
  /** True when a missing secret is acceptable here (`??`, `||`, `default`, an `if` test). */
  optional: boolean;
  /** `userinfo` when the reference lands in a URL's userinfo and is percent-encoded by default. */
  context: OutputContext;
}

import type { ErrorCode } from '../../errors.js';

/**
 * How Julep evaluates a string (grammar/julep.md §1): `expression` — Python, from a `$ ` prefix or
 * from Julep's implicit rules (`[…]`, `_.x`, `inputs[…]`…, see `implicit`); `template` — contains
 * `{{`, rewritten to an f-string; `fstring` — any other string, evaluated as `f'''…'''`.
 */
export type JulepForm = 'expression' | 'template' | 'fstring';

/** A static secret reference. Offsets are 0-based UTF-16 indices into the string value. */
export interface JulepRef {
  name: string;
  /** The reference's own text: `secrets.x`, `secrets['x']`, `secrets.get('x', 'd')`. */
  start: number;
  end: number;
  /** `secrets.get(…)`: a missing secret is not an error (Julep yields the default, or None). */
  optional: boolean;
}

/**
 * How a value is written where it lands (grammar/julep.md §3):
 * - `python-literal`: a Python string literal, in expression position;
 * - `fstring-text`: escaped f-string literal text replacing a whole field `{secrets.x}`;
 * - `field-literal`: a backslash-free literal inside an f-string field (Python 3.11 forbids
 *   backslashes there), for a field with a conversion/format spec or a larger expression.
 */
export type JulepEncoding = 'python-literal' | 'fstring-text' | 'field-literal';

/** What replaces the reference when the secret is absent and the reference is optional. */
export type JulepFallback =
  /** `secrets.get('x')`: Julep yields None. */
  | { kind: 'none' }
  /** `secrets.get('x', default)`: the default's own source span (splices inside it still apply). */
  | { kind: 'default'; start: number; end: number };

/** One replacement spliceJulep makes. Offsets index the string value. */
export interface JulepSplice {
  name: string;
  /** Replaced by the encoded value when the secret has one. */
  start: number;
  end: number;
  /** The reference itself; replaced by the fallback when the secret is absent. */
  refStart: number;
  refEnd: number;
  encoding: JulepEncoding;
  /** The quote legal in this field: of the `field-literal`, or of the `""` an empty value becomes in `fstring-text`. */
  quote?: "'" | '"';
  /** `fstring-text` after a lone backslash (`\{secrets.x}`): Python kept that backslash as text, so the splice re-writes it as `\\`. */
  danglingBackslash?: boolean;
  /** Present exactly when the reference is optional. */
  fallback?: JulepFallback;
}

/** A problem in one string. `REFERENCE_DYNAMIC` is a warning for lint and a refusal for render. */
export interface JulepFinding {
  code: ErrorCode;
  severity: 'error' | 'warning';
  message: string;
  start: number;
  end: number;
  /** A fix written in Julep syntax (a reference, a name), never a value. */
  suggestion?: string;
}

/** What a string holds for secretref, in one pass. Frozen: scans are memoised and shared. */
export interface JulepString {
  readonly form: JulepForm;
  /** An expression by Julep's implicit rule (no `$ `): rendered with `$ ` inserted at `prefixAt`. */
  readonly implicit: boolean;
  /** Index of the first non-space character: where an implicit expression's `$ ` goes. */
  readonly prefixAt: number;
  readonly refs: readonly JulepRef[];
  readonly splices: readonly JulepSplice[];
  readonly findings: readonly JulepFinding[];
}

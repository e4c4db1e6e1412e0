/**
 * The Julep dialect at string level (grammar/julep.md): how Julep evaluates one string value,
 * which secrets it reads, and the same string with secret values written in so that Julep's
 * evaluation of it, without any secrets, is the original's evaluation with them.
 *
 * - `scanJulep(value)`: null for a string that does not mention `secrets` (the platform's: never
 *   an error, never altered); else its form, static references (`secrets.x`, `secrets['x']`,
 *   `secrets.get('x'[, default])`), the splices a render makes and the findings lint shows.
 *   Offsets are 0-based UTF-16 indices into the value.
 * - `spliceJulep(value, scan, valueOf)`: the rendered string; it refuses a string with an
 *   error-severity or `REFERENCE_DYNAMIC` finding. `spliceJulepDetailed` also returns the exact
 *   text each value became (its escaped form), for redaction.
 *
 * Refinements of the first sketch: `JulepString` carries `implicit`/`prefixAt` (Julep's implicit
 * expressions are rendered with `$ `); a splice has both its replaced span and the reference's
 * own span (`refStart`/`refEnd`, where an absent optional secret's fallback goes) and a structured
 * `fallback` (None, or the default argument's span, since a default may itself hold references).
 */
export { scanJulep } from './scan-julep.js';
export { spliceJulep, spliceJulepDetailed, type Insertion, type SplicedJulep, type ValueOf } from './splice-julep.js';
export type { JulepEncoding, JulepFallback, JulepFinding, JulepForm, JulepRef, JulepSplice, JulepString } from './types.js';

/**
 * A finding's identity across runs: its code, its JSON pointer and what it is about — the
 * offending source text, or for a pasted credential its masked form (label, public prefix,
 * length), since even a hash of a credential could confirm a guess. No line or column, so the
 * fingerprint survives edits elsewhere in the file; no file name, so callers key it with the path
 * they choose (baselines and SARIF use the path from the repository root).
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from './diagnostic.js';

/** Version of the scheme: a new scheme gets a new number, and old baselines are refused, not misread. */
export const FINGERPRINT_VERSION = 1;

/** 32 hex characters of SHA-256 over the code, pointer and `about`. */
export function fingerprintOf(d: Pick<Diagnostic, 'code' | 'path'>, about: string): string {
  return createHash('sha256').update(`secretref-fp/${FINGERPRINT_VERSION}\u0000${d.code}\u0000${d.path}\u0000${about}`).digest('hex').slice(0, 32);
}

import { LIMITS } from '../limits.js';

/** The secret name rule of SPEC §1. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Why `name` is not a valid secret name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a secret name cannot be empty';
  if (name.length > LIMITS.maxNameLength) return `a secret name has at most ${LIMITS.maxNameLength} characters`;
  if (!NAME_PATTERN.test(name)) {
    return 'a secret name starts with a letter and contains only letters, digits and underscores';
  }
  return undefined;
}

/** A name rewritten to satisfy the rule, for suggestions (`my-key` → `my_key`). */
export function suggestName(name: string): string | undefined {
  let s = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(s)) s = `s_${s}`;
  s = s.slice(0, LIMITS.maxNameLength);
  return NAME_PATTERN.test(s) ? s : undefined;
}

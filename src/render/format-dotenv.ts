/**
 * A rendered definition as an environment file (`render --format dotenv`, `export`): one
 * `KEY='value'` line per entry, each value quoted by `formatDotenvValue` so that no value — however
 * many quotes or line breaks it holds — can end its line early or set another variable.
 */
import { clip, SecretrefError } from '../errors.js';
import { DOTENV_KEY, formatDotenvValue } from '../syntax/dotenv.js';
import { jsonPointer } from '../syntax/json-pointer.js';

/** The variables of a flat rendered mapping (strings, numbers, booleans; null is the empty string). */
export function envEntries(value: unknown): [string, string][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SecretrefError('INVALID_INPUT', 'Only a mapping of names to values can be written as environment variables; this definition is not a mapping.', { path: '' });
  }
  const out: [string, string][] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = jsonPointer([key]);
    if (!DOTENV_KEY.test(key)) throw new SecretrefError('INVALID_INPUT', `"${clip(key)}" is not a variable name (letters, digits, _ . -).`, { path });
    if (v !== null && typeof v === 'object') throw new SecretrefError('INVALID_INPUT', `${clip(key)} holds a ${Array.isArray(v) ? 'list' : 'mapping'}; environment variables hold text only.`, { path });
    out.push([key, v === null ? '' : String(v)]);
  }
  return out;
}

/** `KEY='value'` lines for a flat rendered mapping. */
export function formatDotenv(value: unknown): string {
  return envEntries(value)
    .map(([k, v]) => `${k}=${formatDotenvValue(v)}\n`)
    .join('');
}

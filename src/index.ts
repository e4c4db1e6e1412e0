/**
 * secretref — the public API. Everything users may import is listed here and nowhere else.
 */
export { SecretrefError, isSecretrefError, ERROR_CATALOG, ERROR_CODES } from './errors.js';
export type { ErrorCode, Problem, Position, Range } from './errors.js';
export { LIMITS } from './limits.js';

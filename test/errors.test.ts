import { describe, expect, it } from 'vitest';
import { SecretrefError, ERROR_CODES } from '../src/index.js';

describe('SecretrefError', () => {
  it('aggregates problems and keeps the first code', () => {
    const e = SecretrefError.fromProblems([
      { code: 'SECRET_NOT_FOUND', message: 'a', path: '/x' },
      { code: 'INVALID_NAME', message: 'b', path: '/y' },
    ]);
    expect(e.code).toBe('SECRET_NOT_FOUND');
    expect(e.problems.map((p) => p.code)).toEqual(['SECRET_NOT_FOUND', 'INVALID_NAME']);
    expect(e.path).toBe('/x');
  });
  it('has the codes SPEC §8 requires', () => {
    for (const c of ['REFERENCE_SYNTAX', 'REFERENCE_DYNAMIC', 'UNSAFE_TEMPLATE', 'UNKNOWN_VARIABLE', 'SECRET_NOT_FOUND', 'SECRET_EXPIRED', 'PERMISSION_DENIED', 'ENCRYPTION_ERROR', 'MASTER_KEY_MISSING', 'MASTER_KEY_WEAK', 'INVALID_NAME', 'DUPLICATE_NAME', 'INVALID_INPUT', 'STORE_UNAVAILABLE', 'LIMIT_EXCEEDED']) {
      expect(ERROR_CODES).toContain(c);
    }
  });
});

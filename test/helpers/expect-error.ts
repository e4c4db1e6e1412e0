/** Shared test helpers for asserting on catalogued errors and driving time by hand. */
import { expect } from 'vitest';
import { SecretrefError } from '../../src/errors.js';

/** The SecretrefError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejected(p: Promise<unknown>): Promise<SecretrefError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SecretrefError);
    return e as SecretrefError;
  }
  throw new Error('expected a SecretrefError');
}

/** A clock the test moves by hand; starts away from 0 on purpose. */
export function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

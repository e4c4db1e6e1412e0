/**
 * Sizes of the reliability and security suites. `npm test` runs them small; `npm run test:stress`
 * (SECRETREF_STRESS=1) runs the same code with the heavy counts. Never a skip: only sizes change.
 */
export const STRESS = process.env.SECRETREF_STRESS === '1';

/** `normal` in the default run, `stress` under SECRETREF_STRESS=1. */
export function scale(normal: number, stress: number): number {
  return STRESS ? stress : normal;
}

/** A test timeout for work that grows with `scale`. */
export function budget(normalMs: number, stressMs: number): number {
  return STRESS ? stressMs : normalMs;
}

/** Waiting in tests: a plain sleep, and polling a condition with a deadline. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every `everyMs` until it holds; throws when `timeoutMs` passes first (so the
 * deadline is the assertion). Returns the elapsed milliseconds.
 */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5_000, everyMs = 20): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
  return performance.now() - start;
}

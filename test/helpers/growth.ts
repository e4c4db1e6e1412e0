/**
 * Growth of a function's running time with its input, for tests that catch superlinear work: a
 * ratio of two timings taken in the same run, never an absolute time (a loaded machine slows both).
 */

/** Milliseconds per call over a window well above timer noise. */
function window<T>(f: (input: T) => unknown, input: T): number {
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < 10) {
    f(input);
    calls++;
    t = performance.now();
  }
  return (t - t0) / calls;
}

/**
 * Time per call on `large` over time per call on `small`, rounds interleaved and the fastest of
 * each kept: load spikes only slow a round down. Linear work on 8× the input gives about 8.
 */
export function growth<T>(f: (input: T) => unknown, small: T, large: T, rounds = 5): number {
  let a = Infinity;
  let b = Infinity;
  for (let round = 0; round < rounds; round++) {
    a = Math.min(a, window(f, small));
    b = Math.min(b, window(f, large));
  }
  return b / a;
}

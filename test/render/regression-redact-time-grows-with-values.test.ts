/**
 * Regression (issue 14 #2): redaction was one alternation of every needle, so its time on a text
 * grew with the size and the number of the values (a backtracking engine tries every alternative
 * at every position: 20 values of 2,000 characters on 40,000 characters took 37 ms, four times
 * the values four times as long). It is now one linear scan, whatever the values.
 *
 * Timings are ratios within one run (n against 4n, and so on), medians of interleaved runs, with
 * generous bounds: the machine may be loaded, but linear against quadratic is 4 against 16 and
 * constant against linear 1 against 4.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/render/index.js';

function redactorFor(secrets: Record<string, string>): (t: string) => string {
  const redact = compile(Object.fromEntries(Object.keys(secrets).map((k) => [k, `$secrets.${k}`]))).render(secrets).redact;
  redact('warm up');
  return redact;
}

/** Median milliseconds of `runs` interleaved timings of each task (after one warm-up call each). */
function medians(tasks: readonly (() => unknown)[], runs = 5): number[] {
  for (const t of tasks) t();
  const samples = tasks.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    tasks.forEach((t, i) => {
      const start = performance.now();
      t();
      samples[i]?.push(performance.now() - start);
    });
  }
  return samples.map((xs) => xs.sort((a, b) => a - b)[xs.length >> 1] as number);
}

/** `n` letters from b to y, pseudo-random, different for each seed. */
function tail(n: number, seed: number): string {
  let x = (seed + 1) * 2654435761;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += String.fromCharCode(98 + ((x >>> 16) % 24));
  }
  return s;
}

describe('redact time (regression: it grew with the size and number of the values)', () => {
  it('is linear in the text: 4x the text takes about 4x the time', () => {
    const secrets: Record<string, string> = {};
    for (let i = 0; i < 20; i++) secrets[`k${i}`] = `${'a'.repeat(30)}${tail(100, i)}`;
    secrets.p = 'ab'.repeat(200);
    const redact = redactorFor(secrets);
    const unit = `${'a'.repeat(50)}${'ab'.repeat(30)} %41\\u0041 `;
    const small = unit.repeat(2_000);
    const large = unit.repeat(8_000);
    const [t1, t4] = medians([() => redact(small), () => redact(large)]);
    expect((t4 as number) / Math.max(t1 as number, 0.05)).toBeLessThan(10);
  });

  it('is linear in the text with escapes and line breaks everywhere (decoded windows, periodic values)', () => {
    const redact = redactorFor({ a: 'abab'.repeat(30), b: 'ab%ab', c: `${'ab'.repeat(40)}\\u0061` });
    const unit = 'abab%61b\\u0061\n  ab+%62%2';
    const small = unit.repeat(1_500);
    const large = unit.repeat(6_000);
    const [t1, t4] = medians([() => redact(small), () => redact(large)]);
    expect((t4 as number) / Math.max(t1 as number, 0.05)).toBeLessThan(10);
  });

  it('does not grow with the size of the values', () => {
    const make = (m: number): ((t: string) => string) => {
      const secrets: Record<string, string> = {};
      for (let i = 0; i < 20; i++) secrets[`k${i}`] = `${'a'.repeat(m)}${String.fromCharCode(98 + i)}`;
      return redactorFor(secrets);
    };
    const short = make(500);
    const long = make(2_000);
    const text = 'a'.repeat(200_000);
    const [t1, t4] = medians([() => short(text), () => long(text)]);
    expect((t4 as number) / Math.max(t1 as number, 0.05)).toBeLessThan(2.5);
  });

  it('does not grow with the number of the values', () => {
    const make = (k: number): ((t: string) => string) => {
      const secrets: Record<string, string> = {};
      for (let i = 0; i < k; i++) secrets[`k${i}`] = `${'a'.repeat(40)}${tail(200, i)}`;
      return redactorFor(secrets);
    };
    const few = make(10);
    const many = make(40);
    const text = 'a'.repeat(200_000);
    const [t1, t4] = medians([() => few(text), () => many(text)]);
    expect((t4 as number) / Math.max(t1 as number, 0.05)).toBeLessThan(2.5);
  });
});

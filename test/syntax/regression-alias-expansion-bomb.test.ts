/**
 * Regression (security review, High): the YAML guard counted aliases, not what they expand to.
 * 999 aliases of one 300,000-item anchored sequence (a 600 KB file) ran compile, render, lint
 * and refs out of heap; 100,000 × 100 took 5 s and 370 MB. The expanded size (nodes and bytes)
 * is now bounded and refused with LIMIT_EXCEEDED before anything is expanded.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSource, LIMITS, lint } from '../../src/index.js';

const bomb = (items: number, aliases: number): string => `a: &x [${Array(items).fill('1').join(',')}]\nb: [${Array(aliases).fill('*x').join(',')}]\n`;

describe('YAML alias expansion', () => {
  it.each([
    [300_000, 999],
    [100_000, 100],
    [1_000, 500],
  ])('%i items × %i aliases is LIMIT_EXCEEDED, refused before expanding', { timeout: 60_000 }, async (items, aliases) => {
    const source = bomb(items, aliases);
    // Refused, not expanded (an expansion runs out of heap): no value is built.
    const doc = analyzeSource(source);
    expect(doc.problems.map((p) => p.code)).toEqual(['LIMIT_EXCEEDED']);
    expect(doc.value).toBeUndefined();
    if (source.length < 100_000) expect((await lint(source)).map((d) => d.code)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('bytes count too: a few aliases of one huge string', () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const doc = analyzeSource(`a: &x "${big}"\nb: [${Array(6).fill('*x').join(',')}]\n`);
    expect(doc.problems.map((p) => p.code)).toContain('LIMIT_EXCEEDED');
  });

  it('a document within the bounds still expands its aliases', () => {
    const doc = analyzeSource(bomb(10, 10));
    expect(doc.problems).toEqual([]);
    expect((doc.value as { b: number[][] }).b).toHaveLength(10);
    expect(LIMITS.maxAliasExpansion).toBeGreaterThanOrEqual(10 * 10);
  });
});

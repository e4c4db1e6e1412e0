/**
 * Every named limit of SPEC §9 that the syntax layer enforces: exceeded, it is LIMIT_EXCEEDED
 * within a second, never a hang, a crash or an out-of-memory.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { LIMITS } from '../../src/limits.js';
import { analyzeSource, findReferences } from '../../src/syntax/index.js';

/** Analyses `source`, asserting it took under a second; returns the problem codes and paths. */
function timed(source: string): { codes: string[]; paths: (string | undefined)[]; refs: number } {
  const t0 = performance.now();
  const d = analyzeSource(source);
  expect(performance.now() - t0, 'analysis time (ms)').toBeLessThan(1_000);
  for (const p of d.problems) expect(ERROR_CODES).toContain(p.code);
  return { codes: d.problems.map((p) => p.code), paths: d.problems.map((p) => p.path), refs: d.references.length };
}

describe('limits', () => {
  // The bound is on the work, not on JIT warm-up of a cold worker: warm the parsers first.
  beforeAll(() => {
    analyzeSource(Array.from({ length: 2_000 }, (_, i) => `k${i}: [$secrets.a, "{{ secrets.b }}", x \${secrets.c}, $ secrets.d]`).join('\n'));
  });

  it('maxDocumentBytes: a document over 10 MiB is refused before parsing', () => {
    const src = `a: "${'x'.repeat(LIMITS.maxDocumentBytes)}"`;
    expect(timed(src).codes).toEqual(['LIMIT_EXCEEDED']);
  });

  it('maxDocumentBytes: a document of exactly the limit is parsed', () => {
    const src = `a: ${'x'.repeat(LIMITS.maxDocumentBytes - 3)}`;
    expect(src.length).toBe(LIMITS.maxDocumentBytes);
    expect(analyzeSource(src).problems.map((p) => p.code)).toEqual(['LIMIT_EXCEEDED']); // the string itself is over maxStringLength
  });

  it('maxDepth: 100,000-deep JSON arrays and objects never reach the parser', () => {
    expect(timed('['.repeat(100_000) + ']'.repeat(100_000)).codes).toEqual(['LIMIT_EXCEEDED']);
    expect(timed('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)).codes).toEqual(['LIMIT_EXCEEDED']);
  });

  it('maxDepth: JSON brackets inside strings do not count', () => {
    expect(timed(`{"a": "${'['.repeat(1_000)}"}`).codes).toEqual([]);
  });

  it('maxDepth: exactly 256 levels are accepted, 257 are not', () => {
    expect(timed('['.repeat(LIMITS.maxDepth) + ']'.repeat(LIMITS.maxDepth)).codes).toEqual([]);
    expect(timed('['.repeat(LIMITS.maxDepth + 1) + ']'.repeat(LIMITS.maxDepth + 1)).codes).toEqual(['LIMIT_EXCEEDED']);
  });

  it('maxDepth: 100,000-deep YAML flow nesting is refused within a second', () => {
    expect(timed(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`).codes).toEqual(['LIMIT_EXCEEDED']);
    expect(timed(`a: ${'{b: '.repeat(100_000)}1${'}'.repeat(100_000)}`).codes).toEqual(['LIMIT_EXCEEDED']);
  });

  it('maxDepth: YAML brackets inside quoted scalars do not count', () => {
    expect(timed(`a: "${'['.repeat(2_000)}"\nb: '${'{'.repeat(2_000)}'\n`).codes).toEqual([]);
    expect(timed(`- it's [ not quoted ] ${'x'.repeat(10)}\n- b`).codes).toEqual([]);
  });

  it('maxDepth: deep YAML block and flow nesting', () => {
    expect(timed(`${'- '.repeat(3_000)}x`).codes).toEqual(['LIMIT_EXCEEDED']);
    expect(timed(`a: ${'['.repeat(3_000)}${']'.repeat(3_000)}`).codes).toEqual(['LIMIT_EXCEEDED']);
    const nested = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1';
    expect(timed(nested).codes).toEqual(['LIMIT_EXCEEDED']);
  });

  it('maxAliasCount: billion laughs is refused after 1,000 alias expansions, reported once', () => {
    const names = 'abcdefghij';
    let src = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
    for (let i = 1; i < names.length; i++) src += `${names[i]}: &${names[i]} [${Array(10).fill(`*${names[i - 1]}`).join(',')}]\n`;
    expect(timed(src).codes).toEqual(['LIMIT_EXCEEDED']);
  });

  it('maxAliasCount: a self-referencing alias terminates', () => {
    expect(timed('a: &a [*a, *a]\n').codes).toContain('LIMIT_EXCEEDED');
  });

  it('maxAliasCount: a few aliases are fine', () => {
    expect(timed('d: &d {k: $secrets.a}\ne: [*d, *d, *d]\n')).toEqual({ codes: [], paths: [], refs: 4 });
  });

  it('maxReferences: more than 10,000 references in one document, in one string or across values', () => {
    const one = timed(`a: "${'$secrets.a '.repeat(LIMITS.maxReferences + 1)}"`);
    expect(one.codes).toEqual(['LIMIT_EXCEEDED']);
    const many = timed(JSON.stringify(Array(LIMITS.maxReferences + 1).fill('$secrets.a')));
    expect(many.codes).toEqual(['LIMIT_EXCEEDED']);
    expect(many.paths).toEqual([`/${LIMITS.maxReferences}`]);
  });

  it('maxReferences: exactly 10,000 references are accepted', () => {
    const d = analyzeSource(Array.from({ length: LIMITS.maxReferences }, (_, i) => `k${i}: $secrets.a`).join('\n'));
    expect(d.problems).toEqual([]);
    expect(d.references.length).toBe(LIMITS.maxReferences);
  });

  it('maxStringLength: a plain string over 1 MiB is refused', () => {
    expect(timed(`a: "${'x'.repeat(LIMITS.maxStringLength + 1)}"`).codes).toEqual(['LIMIT_EXCEEDED']);
    expect(timed(`a: "${'x'.repeat(LIMITS.maxStringLength)}"`).codes).toEqual([]);
  });

  it('maxTemplateLength: a string holding references over 64 KiB is refused, whatever its form', () => {
    const pad = 'x'.repeat(LIMITS.maxTemplateLength);
    const r = timed(`t: "{{ secrets.a }}${pad}"\ni: "$secrets.a ${pad}"\ne: "$ secrets.a + '${pad}'"\n`);
    expect(r.codes).toEqual(['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
    expect(r.paths).toEqual(['/t', '/i', '/e']);
  });

  it('maxTemplateLength: exactly 64 KiB is accepted', () => {
    const value = `{{ secrets.a }}${'x'.repeat(LIMITS.maxTemplateLength - 15)}`;
    expect(value.length).toBe(LIMITS.maxTemplateLength);
    expect(timed(`t: "${value}"`)).toEqual({ codes: [], paths: [], refs: 1 });
  });

  it('maxNameLength: a 129-character name is INVALID_NAME in every form', () => {
    const n = 'a'.repeat(LIMITS.maxNameLength + 1);
    expect(() => findReferences(`a: $secrets.${n}\nb: x \${secrets.${n}}\nc: "{{ secrets.${n} }}"\nd: $ secrets.${n}`)).toThrow(
      expect.objectContaining({ problems: Array(4).fill(expect.objectContaining({ code: 'INVALID_NAME' })) }),
    );
  });

  it('many keys in one mapping are accepted (100,000 keys; growth with the key count: test/syntax/regressions.test.ts)', () => {
    const src = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const d = analyzeSource(src);
    expect(d.problems).toEqual([]);
    expect(d.references).toEqual([]);
  });
});

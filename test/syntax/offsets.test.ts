/** Offsets of references inside multi-line and escaped scalars (what the corpus covers thinly). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/syntax/index.js';
import { textAt, tuple } from './helpers.js';

/** Each reference as `[name, text at its range, range]`. */
function at(src: string): [string, string, ReturnType<typeof tuple>][] {
  const d = analyzeSource(src);
  expect(d.problems).toEqual([]);
  return d.references.map((r) => [r.name, textAt(src, r.range), tuple(r.range)]);
}

describe('scalar offsets', () => {
  it('double-quoted: every YAML escape length (\\x, \\u, \\U, \\N, \\_, \\L, \\/, \\e, \\0)', () => {
    const src = 'a: "\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\/\\e\\0\\a\\b\\v\\f\\  $secrets.k"\n';
    expect(at(src)).toEqual([['k', '$secrets.k', [1, 50, 1, 60]]]);
  });

  it('double-quoted: folded lines, blank lines and an escaped line break', () => {
    const src = 'a: "one\n\n   two \\\n     three $secrets.k\n  four"\n';
    expect(at(src)).toEqual([['k', '$secrets.k', [4, 12, 4, 22]]]);
  });

  it('single-quoted: multi-line with doubled quotes', () => {
    const src = "a: 'it''s\n  a ''quoted''\n\n  ${secrets.k} here'\n";
    expect(at(src)).toEqual([['k', '${secrets.k}', [4, 3, 4, 15]]]);
  });

  it('plain: multi-line with a blank line and tabs', () => {
    const src = 'a: first\tline\n\n  second\t$secrets.k end\n';
    expect(at(src)).toEqual([['k', '$secrets.k', [3, 10, 3, 20]]]);
  });

  it('folded block: more-indented lines keep their breaks', () => {
    const src = 'a: >\n  folded\n    more indented $secrets.m\n  back {{ secrets.n }}\n';
    expect(at(src).map((r) => r.slice(0, 2))).toEqual([['n', 'secrets.n']]); // a template: $secrets.m is text
    const src2 = 'a: >\n  folded\n    more indented $secrets.m\n  back ${secrets.n}\n';
    expect(at(src2)).toEqual([
      ['m', '$secrets.m', [3, 19, 3, 29]],
      ['n', '${secrets.n}', [4, 8, 4, 20]],
    ]);
  });

  it('literal block in a sequence, with a comment and keep chomping', () => {
    const src = '- |+ # comment\n  line $secrets.a\n\n  ${secrets.b}\n\n- next\n';
    expect(at(src)).toEqual([
      ['a', '$secrets.a', [2, 8, 2, 18]],
      ['b', '${secrets.b}', [4, 3, 4, 15]],
    ]);
  });

  it('JSON: \\b \\f \\r and escaped backslashes before a reference', () => {
    const src = '{"a": "\\b\\f\\r\\\\\\\\ $secrets.k"}';
    expect(at(src)).toEqual([['k', '$secrets.k', [1, 19, 1, 29]]]);
  });

  it('JSON: a reference split by an escape still covers the source text', () => {
    const src = '{"a": "$secrets.\\u0061bc"}';
    expect(at(src)).toEqual([['abc', '$secrets.\\u0061bc', [1, 8, 1, 25]]]);
  });

  it('a multi-line template tag inside a folded JSON-style YAML string', () => {
    const src = 'a: "{{\n    secrets.k\n  }}"\n';
    expect(at(src)).toEqual([['k', 'secrets.k', [2, 5, 2, 14]]]);
  });
});

describe('scalar offsets, any one-line scalar (the fast path: a value that reads the same in the source)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\\', "'", '"', 'é', '😀', '\t', '#', ':'), maxLength: 12 });
  it.each([
    ['double-quoted', (s: string) => JSON.stringify(s)],
    ['single-quoted', (s: string) => `'${s.replaceAll("'", "''")}'`],
  ])('%s: a reference after and before any text points at itself', (_, quote) => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const src = `a: ${quote(`${before}$secrets.k ${after}`)}\n`;
        const d = analyzeSource(src);
        expect(d.references.map((r) => textAt(src, r.range))).toEqual(['$secrets.k']);
      }),
      { numRuns: 300 },
    );
  });
});

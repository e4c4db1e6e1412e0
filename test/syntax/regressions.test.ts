/**
 * Bugs found in src/syntax while writing the conformance corpus; each test is named after what
 * broke.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSource, compileString } from '../../src/syntax/index.js';
import { growth } from '../helpers/growth.js';
import { problems, refs, textAt, tuple } from './helpers.js';

describe('regressions', () => {
  it('a mapping with 40,000 keys took 26 s: yaml uniqueKeys compared every pair of keys', () => {
    const mapping = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: 1`).join('\n');
    const small = mapping(5_000);
    const large = mapping(40_000);
    expect(analyzeSource(large).problems).toEqual([]);
    // 8× the keys: linear is about 8, comparing every pair about 64.
    expect(growth(analyzeSource, small, large, 3)).toBeLessThan(24);
  });

  it('duplicate keys are still refused, with the range of the second key', () => {
    const src = 'a: 1\nb: 2\na: 3\n1: x\n"1": y\n';
    const d = analyzeSource(src);
    expect(d.problems.map((p) => [p.code, p.path, tuple(p.range)])).toEqual([
      ['INVALID_INPUT', '/a', [3, 1, 3, 2]],
      ['INVALID_INPUT', '/1', [5, 1, 5, 4]],
    ]);
  });

  it('a block scalar with CRLF line breaks reported every reference at the scalar header', () => {
    const src = 'a: |\r\n  x $secrets.a\r\n\r\n  y ${secrets.b}\r\nb: >-\r\n  folded\r\n  z $secrets.c\r\n';
    const d = analyzeSource(src);
    expect(d.references.map((r) => [r.name, tuple(r.range)])).toEqual([
      ['a', [2, 5, 2, 15]],
      ['b', [4, 5, 4, 17]],
      ['c', [7, 5, 7, 15]],
    ]);
  });

  it('a reference ending a strip-chomped block scalar ended at the start of the next line', () => {
    const src = 'a: |-\n  x $secrets.a\nb: 1\n';
    expect(tuple(analyzeSource(src).references[0]?.range)).toEqual([2, 5, 2, 15]);
  });

  it('a block scalar with an indentation indicator (|2) lost its positions', () => {
    const src = 'e: |2\n    indented $secrets.e\n  less\n';
    expect(refs(src)).toEqual([['e', '/e', '$secrets.e']]);
    expect(tuple(analyzeSource(src).references[0]?.range)).toEqual([2, 14, 2, 24]);
  });

  it('a template reference in URL userinfo was not marked userinfo (output span started at the `.`)', () => {
    const c = compileString('postgres://{{ secrets.u }}:{{ secrets.p | urlencode }}@db/{{ secrets.n }}');
    const outputs = c?.program.kind === 'segments' ? c.program.segments.filter((s) => s.type === 'output') : [];
    expect(outputs.map((s) => s.type === 'output' && s.context)).toEqual(['userinfo', 'userinfo', 'text']);
    expect(outputs.map((s) => s.type === 'output' && [s.start, s.end])).toEqual([[11, 26], [27, 54], [58, 73]]);
  });

  it('a URL inside a longer string did not get userinfo encoding', () => {
    const d = analyzeSource('cmd: psql postgres://app:${secrets.pw}@db/app\n');
    expect(d.references.map((r) => r.context)).toEqual(['userinfo']);
  });

  it('the range of a dynamic template lookup stopped one character into the brackets', () => {
    expect(problems('a: "{{ secrets[name] }} {{ secrets[ x[0] ] }} {{ secrets[0] }}"')).toEqual([
      ['REFERENCE_DYNAMIC', '/a', 'secrets[name]'],
      ['REFERENCE_DYNAMIC', '/a', 'secrets[ x[0] ]'],
      ['INVALID_NAME', '/a', 'secrets[0]'],
    ]);
  });

  it('a refused template operator was reported from the operator instead of its left operand', () => {
    expect(problems('a: "{{ secrets.q * 2 }}"\nb: "{% if secrets.j is defined %}x{% endif %}"')).toEqual([
      ['UNSAFE_TEMPLATE', '/a', 'secrets.q * 2 }}'],
      ['UNSAFE_TEMPLATE', '/b', 'secrets.j is defined %}'],
    ]);
  });

  it('`this`, arrays and keyword literals in an expression had empty or misplaced ranges', () => {
    expect(problems('a: $ this + secrets.a\nb: $ [secrets.a, 1]\nc: $ true.x + secrets.a\nd: $ -secrets.a\ne: $ null(secrets.a)')).toEqual([
      ['UNSAFE_EXPRESSION', '/a', 'this'],
      ['UNSAFE_EXPRESSION', '/b', '[secrets.a, 1]'],
      ['UNSAFE_EXPRESSION', '/c', 'true.x'],
      ['UNSAFE_EXPRESSION', '/d', '-secrets.a'],
      ['UNSAFE_EXPRESSION', '/e', 'null(secrets.a)'],
    ]);
  });

  it('a call range stopped before its closing parenthesis', () => {
    expect(problems("a: $ urlencode(secrets.a, ')')")).toEqual([['REFERENCE_SYNTAX', '/a', "urlencode(secrets.a, ')')"]]);
  });

  it('an expression malformed at its very end had an empty range', () => {
    expect(problems('a: $ secrets.a +')).toEqual([['REFERENCE_SYNTAX', '/a', '+']]);
  });

  it('`${secrets . b}` was an INVALID_NAME for the valid name b', () => {
    expect(refs('a: ${ secrets.a } ${secrets . b}')).toEqual([
      ['a', '/a', '${ secrets.a }'],
      ['b', '/a', '${secrets . b}'],
    ]);
  });

  it('`$$` before a malformed reference still raised its error, so it could not be written literally', () => {
    const src = "a: \"$${secrets.my-key} $$secrets['x'] $$$secrets.z\"";
    expect(problems(src)).toEqual([]);
    expect(refs(src)).toEqual([]);
    const c = compileString("$${secrets.my-key} $$secrets['x'] $$$secrets.z");
    expect(c?.program).toEqual({ form: 'inline', kind: 'segments', segments: [{ type: 'text', value: "${secrets.my-key} $secrets['x'] $$secrets.z" }] });
  });

  it('an escaped reference in a mapping key was a REFERENCE_IN_KEY', () => {
    const src = '"$$secrets.k": 1\n"{% raw %}{{ secrets.k }}{% endraw %}": 2\n"$secrets.k": 3\n';
    expect(problems(src)).toEqual([['REFERENCE_IN_KEY', '/$secrets.k', '"$secrets.k"'.slice(1, -1)]]);
    expect(textAt(src, analyzeSource(src).problems[0]?.range)).toBe('$secrets.k');
  });

  it('references of {{ a if b else c }} came out as b, a, c instead of source order', () => {
    expect(refs('v: "{{ secrets.a if secrets.b else secrets.c }}"').map((r) => r[0])).toEqual(['a', 'b', 'c']);
  });

  it('an over-long name in the exact form $secrets.NAME was reported without its `$`', () => {
    const name = 'a'.repeat(129);
    expect(problems(`k: $secrets.${name}`)).toEqual([['INVALID_NAME', '/k', `$secrets.${name}`]]);
  });

  it('a tagged template literal in an expression had an empty range', () => {
    const [p] = problems('f: $ tag`x${secrets.a}`');
    expect(p?.[0]).toBe('UNSAFE_EXPRESSION');
    expect(p?.[2].startsWith('tag`x')).toBe(true);
  });

  it('an unexpected end of YAML/JSON was reported past the end of the source', () => {
    for (const src of ['"', '{"a":', 'a: "x']) {
      const p = analyzeSource(src).problems[0];
      expect(p?.code).toBe('INVALID_INPUT');
      expect(p?.offset).toEqual([src.length - 1, src.length]);
    }
  });
});

describe('compileString memo', () => {
  it('keeps strings compiled with and without vars apart', async () => {
    const { compileString } = await import('../../src/syntax/compile-string.js');
    const without = compileString('{{ secrets.a }} {{ region }}');
    const withVars = compileString('{{ secrets.a }} {{ region }}', new Set(['region']));
    expect(without?.problems.map((p) => p.code)).toEqual(['UNKNOWN_VARIABLE']);
    expect(withVars?.problems).toEqual([]);
    expect(compileString('{{ secrets.a }} {{ region }}')).toBe(without);
    expect(compileString('plain $5 text')).toBeNull();
    expect(compileString('plain $5 text')).toBeNull();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, render } from '../../src/render/index.js';
import { caught, codes, rejected } from './helpers.js';

describe('errors', () => {
  it('reports every missing name of a render together, with paths, ranges and suggestions', () => {
    const src = ['name: t', 'a: "$secrets.stripe_kye"', 'b:', '  - "Bearer {{ secrets.OPENAI_API_KEY }}"', 'c: "$ secrets.nothing_like_it ?? secrets.zzz"', ''].join('\n');
    const e = caught(() => compile(src, { filename: 'tool.yaml' }).render({ stripe_key: 'x', openai_api_key: 'y' }));
    expect(codes(e)).toEqual(['SECRET_NOT_FOUND', 'SECRET_NOT_FOUND', 'SECRET_NOT_FOUND']);
    expect(e.problems.map((p) => [p.path, p.name, p.suggestion])).toEqual([
      ['/a', 'stripe_kye', 'stripe_key'],
      ['/b/0', 'OPENAI_API_KEY', 'openai_api_key'],
      ['/c', 'zzz', undefined],
    ]);
    expect(e.problems.map((p) => p.range)).toEqual([
      { start: { line: 2, column: 5 }, end: { line: 2, column: 24 } },
      { start: { line: 4, column: 16 }, end: { line: 4, column: 38 } },
      { start: { line: 5, column: 34 }, end: { line: 5, column: 45 } },
    ]);
    expect(e.message).toContain('tool.yaml:2:5');
  });
  it('has paths but no ranges when rendering an object', () => {
    const e = caught(() => compile({ x: ['$secrets.a'] }).render({}));
    expect(e.problems).toMatchObject([{ code: 'SECRET_NOT_FOUND', path: '/x/0', name: 'a' }]);
    expect(e.problems[0]?.range).toBeUndefined();
  });
  it('throws every compile-time problem in one error, before any render', () => {
    const e = caught(() => compile({ a: '{{ secrets[x] }}', b: '$ secrets.a.b', c: '{{ secrets.a | shout }}', d: '{% set x = 1 %}{{ secrets.a }}', e: '$ who + secrets.a', f: '$secrets.bad-name x' }));
    expect(codes(e).sort()).toEqual(['REFERENCE_DYNAMIC', 'UNKNOWN_FILTER', 'UNKNOWN_VARIABLE', 'UNSAFE_EXPRESSION', 'UNSAFE_TEMPLATE'].sort());
    expect(e.problems.map((p) => p.path).sort()).toEqual(['/a', '/b', '/c', '/d', '/e']);
  });
  it('reports a reference in a key', () => {
    const e = caught(() => compile('"$secrets.k": 1\n'));
    expect(e.code).toBe('REFERENCE_IN_KEY');
    expect(e.range?.start.line).toBe(1);
  });
  it('reports a declared variable without a value, and a variable of the wrong type', () => {
    const c = compile({ a: '{{ region }}{{ secrets.k }}' }, { vars: ['region'] });
    expect(codes(caught(() => c.render({ k: 'v' })))).toEqual(['UNKNOWN_VARIABLE']);
    expect(codes(caught(() => c.render({ k: 'v' }, { vars: { region: {} as unknown as string } })))).toContain('INVALID_INPUT');
  });
  it('reports a value that is not a string, or too large', () => {
    const c = compile({ a: '$secrets.k', b: '$secrets.big' });
    const e = caught(() => c.render({ k: 42 as unknown as string, big: 'x'.repeat(64 * 1024 + 1) }));
    expect(e.problems.map((p) => [p.code, p.path])).toEqual([
      ['INVALID_INPUT', '/a'],
      ['LIMIT_EXCEEDED', '/b'],
    ]);
  });
  it('reports b64decode of something that is not base64 of UTF-8 text', () => {
    const e = caught(() => compile({ a: '{{ secrets.k | b64decode }}' }).render({ k: '%%%not base64' }));
    expect(e.problems).toMatchObject([{ code: 'INVALID_INPUT', path: '/a' }]);
    expect(codes(caught(() => compile({ a: '{{ secrets.k | b64decode }}' }).render({ k: Buffer.from([0xff, 0xfe]).toString('base64') })))).toEqual(['INVALID_INPUT']);
  });
  it('refuses resolver and secrets together, and a definition with references but no source', async () => {
    expect((await rejected(render({ a: '$secrets.k' }))).code).toBe('INVALID_INPUT');
    const source = { resolve: async () => ({ values: new Map(), missing: [], problems: [] }), suggest: async () => new Map() };
    expect((await rejected(render({ a: '$secrets.k' }, { secrets: {}, resolver: source }))).code).toBe('INVALID_INPUT');
  });
  it('never puts a value in a message or a stack (property)', () => {
    // Text that is in the error whatever the values are (words, paths, names) cannot count.
    const baseline = errorText({ present: '\u2603', other_one: '\u2603', big: '\u2603'.repeat(64 * 1024 + 1) });
    expect(baseline).toContain('SECRET_NOT_FOUND');
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 40, unit: 'binary' }), fc.string({ minLength: 4, maxLength: 40, unit: 'binary' }), (value, other) => {
        const secrets = { present: value, other_one: other, big: value.repeat(Math.ceil((64 * 1024 + 1) / value.length)) };
        // The stack differs inside fast-check (its frames name "property", "run", …): the fixed
        // text is measured from the same place, with placeholder values.
        const fixed = errorText({ present: '\u2603', other_one: '\u2603', big: '\u2603'.repeat(64 * 1024 + 1) });
        fc.pre(!baseline.includes(value) && !baseline.includes(other) && !fixed.includes(value) && !fixed.includes(other));
        const text = errorText(secrets);
        expect(text.includes(value)).toBe(false);
        expect(text.includes(other)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

function errorText(secrets: Record<string, string>): string {
  const defs = [
    { a: '$secrets.missing', b: '{{ secrets.present | b64decode }}', c: 'https://{{ secrets.prezent }}@h' },
    { a: '$ secrets.present + secrets.absent', b: '$secrets.big', c: '{{ secrets.other_one | b64decode }}' },
  ];
  let text = '';
  for (const def of defs) {
    try {
      compile(def).render(secrets);
    } catch (e) {
      text += `${(e as Error).message}\n${(e as Error).stack}\n${JSON.stringify(e)}\n`;
    }
  }
  return text;
}

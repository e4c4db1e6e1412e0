import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, render } from '../../src/render/index.js';
import { caught } from './helpers.js';

/** JSON-like values whose strings hold no reference syntax at all. */
const plainJson = fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).includes('$') && !JSON.stringify(v).includes('{'));

describe('safety', () => {
  it('resolves secrets named constructor, toString, hasOwnProperty, valueOf to their values', () => {
    const secrets = { constructor: 'c-val', toString: 't-val', hasOwnProperty: 'h-val', valueOf: 'v-val', isPrototypeOf: 'i-val' } as unknown as Record<string, string>;
    const def = { a: '$secrets.constructor', b: '{{ secrets.toString }}', c: '$ secrets["isPrototypeOf"]', d: 'x${secrets.hasOwnProperty}y', e: "$ f'{secrets.valueOf}'" };
    const want = { a: 'c-val', b: 't-val', c: 'i-val', d: 'xh-valy', e: 'v-val' };
    expect(compile(def).render(secrets).value).toEqual(want);
    expect(compile(def).render(new Map(Object.entries(secrets))).value).toEqual(want);
  });
  it('never reads a prototype member as a secret', () => {
    const e = caught(() => compile({ a: '$secrets.constructor', b: '$secrets.toString', c: '{{ secrets["valueOf"] }}' }).render({}));
    expect(e.problems.map((p) => [p.code, p.name])).toEqual([
      ['SECRET_NOT_FOUND', 'constructor'],
      ['SECRET_NOT_FOUND', 'toString'],
      ['SECRET_NOT_FOUND', 'valueOf'],
    ]);
    // Inherited properties are invisible too.
    const inherited = Object.create({ k: 'from-prototype' }) as Record<string, string>;
    expect(caught(() => compile({ a: '$secrets.k' }).render(inherited)).code).toBe('SECRET_NOT_FOUND');
  });
  it('refuses __proto__ as a secret name before rendering (it breaks the name rule)', () => {
    const e = caught(() => compile({ a: '$ secrets["__proto__"]', b: '{{ secrets.__proto__ }}' }));
    expect(e.problems.map((p) => [p.code, p.path])).toEqual([
      ['INVALID_NAME', '/a'],
      ['INVALID_NAME', '/b'],
    ]);
  });
  it('keeps an own __proto__ key of the definition as data', () => {
    const def = JSON.parse('{"__proto__": {"x": "$secrets.k"}, "y": 1}') as object;
    const out = compile(def).render({ k: 'v' }).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ x: 'v' });
  });
  it('inserts values literally: reference syntax inside a value is never evaluated', () => {
    const hostile = { a: '{{ secrets.b }}', b: '$secrets.a ${secrets.a} {% if x %}' };
    const def = { x: '$secrets.a', y: 'T {{ secrets.b }} T', z: 'I $secrets.a I', w: "$ 'E ' + secrets.b" };
    expect(compile(def).render(hostile).value).toEqual({ x: '{{ secrets.b }}', y: 'T $secrets.a ${secrets.a} {% if x %} T', z: 'I {{ secrets.b }} I', w: 'E $secrets.a ${secrets.a} {% if x %}' });
  });
  it('never mutates the input definition', () => {
    const def = { a: '$secrets.k', nested: { list: ['{{ secrets.k }}', { deep: 'x $secrets.k' }] }, n: 1 };
    const before = structuredClone(def);
    compile(def).render({ k: 'v' });
    expect(def).toEqual(before);
  });
  it('builds a fresh output each render: mutating one does not affect the next', () => {
    const def = { a: '$secrets.k', constant: { list: [1, 2], o: { p: 'q' } }, arr: ['x', { y: 'z' }] };
    const c = compile(def);
    const first = c.render({ k: 'v' }).value as { a: string; constant: { list: number[]; o: Record<string, string> }; arr: unknown[] };
    first.a = 'changed';
    first.constant.list.push(3);
    first.constant.o.p = 'changed';
    first.arr.length = 0;
    expect(c.render({ k: 'v' }).value).toEqual({ a: 'v', constant: { list: [1, 2], o: { p: 'q' } }, arr: ['x', { y: 'z' }] });
    expect(def.constant.list).toEqual([1, 2]);
  });
  it('reuses a compilation: the same object or text compiles once', () => {
    const def = { a: '$secrets.k' };
    expect(compile(def)).toBe(compile(def));
    const src = 'a: $secrets.k\n';
    expect(compile(src)).toBe(compile(`a: $secrets.k\n`));
    expect(compile(src, { vars: ['x'] })).not.toBe(compile(src));
  });
  it('renders a reference-free definition to an equal structure (property)', async () => {
    await fc.assert(
      fc.asyncProperty(plainJson, async (v) => {
        const out = typeof v === 'string' ? v : compile(v).render({}).value;
        expect(out).toEqual(v);
        // A string passed to render() is source text; objects, arrays and other scalars are values.
        if (typeof v !== 'string') expect((await render(v)).value).toEqual(v);
        if (v !== null && typeof v === 'object') expect(out).not.toBe(v);
      }),
      { numRuns: 200 },
    );
  });
  it('renders reference-free source text to its parsed value (property)', () => {
    fc.assert(
      fc.property(plainJson, (v) => {
        // Compared with the JSON round trip of v: the source text cannot carry -0.
        expect(compile(JSON.stringify(v)).render({}).value).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 100 },
    );
  });
  it('inserts any value verbatim exactly once, in every form (property)', () => {
    const defs = {
      t: 'A {{ secrets.v }} B',
      e: "$ 'A ' + secrets.v + ' B'",
      f: "$ f'A {secrets.v} B'",
      i: 'A $secrets.v B',
      b: 'A ${secrets.v} B',
      x: '$secrets.v',
    };
    const c = compile(defs);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (v) => {
        const out = c.render({ v }).value as Record<string, string>;
        for (const k of ['t', 'e', 'f', 'i', 'b']) expect(out[k]).toBe(`A ${v} B`);
        expect(out.x).toBe(v);
      }),
      { numRuns: 500 },
    );
  });
  it('inserts hostile values verbatim (property over reference-looking values)', () => {
    const piece = fc.constantFrom('{{', '}}', '{%', '%}', '$', '$$', 'secrets.', '${', '}', '\n', '"', "'", '\\', '`', 'constructor', '__proto__', '%', '@');
    const c = compile({ a: 'A {{ secrets.v }} B {{ secrets.w }}', b: '$secrets.v' });
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 20 }).map((a) => a.join('')), fc.string(), (v, w) => {
        const out = c.render({ v, w }).value as Record<string, string>;
        expect(out.a).toBe(`A ${v} B ${w}`);
        expect(out.b).toBe(v);
      }),
      { numRuns: 500 },
    );
  });
});

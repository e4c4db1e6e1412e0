/** The strict-JSON fast path must give exactly what the general YAML path gives. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/syntax/document.js';

const ROOT = join(import.meta.dirname, '..', '..');

function both(source: string) {
  const fast = analyzeSource(source);
  const slow = analyzeSource(source, { fastJson: false });
  return { fast, slow };
}

function view(d: ReturnType<typeof analyzeSource>) {
  return {
    value: d.value,
    references: d.references,
    problems: d.problems.map((p) => ({ code: p.code, path: p.path, range: p.range })),
    sites: d.sites.map((s) => s.path),
  };
}

function jsonInputs(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of readdirSync(join(ROOT, 'fixtures', 'tools'))) if (f.endsWith('.json')) out.push([f, readFileSync(join(ROOT, 'fixtures', 'tools', f), 'utf8')]);
  for (const f of readdirSync(join(ROOT, 'fixtures', 'conformance'))) {
    if (!f.endsWith('.json')) continue;
    const c = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'conformance', f), 'utf8')) as { input?: string };
    if (typeof c.input === 'string' && /^\s*[[{]/.test(c.input)) out.push([f, c.input]);
  }
  return out;
}

describe('JSON fast path', () => {
  it.each(jsonInputs())('agrees with the YAML path on %s', (_name, source) => {
    const { fast, slow } = both(source);
    expect(view(fast)).toEqual(view(slow));
  });

  it('agrees on generated JSON documents with references, escapes and __proto__ keys', () => {
    const str = fc.oneof(
      fc.string(),
      fc.constantFrom('$secrets.api_key', 'Bearer {{ secrets.tok }}', 'x ${secrets.a} \u00e9 \n', '$ secrets.b', '$$secrets.c', 'postgres://$secrets.u:${secrets.p}@h/db'),
    );
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '$secrets.k', 'a/b~c'));
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('arr'), tie('obj')),
      arr: fc.array(tie('node'), { maxLength: 4 }),
      obj: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(json.obj, fc.boolean(), (value, pretty) => {
        const source = JSON.stringify(value, null, pretty ? 2 : undefined);
        const { fast, slow } = both(source);
        expect(view(fast)).toEqual(view(slow));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['duplicate key', '{"a": 1, "a": 2}'],
    ['comment', '{"a": 1} # note'],
    ['trailing comma', '{"a": [1, 2,]}'],
    ['control character in a string', '{"a": "x\u0001y"}'],
    ['single quotes', "{'a': '$secrets.x'}"],
  ])('falls back to the YAML path (which reports) for %s', (_name, source) => {
    const { fast, slow } = both(source);
    expect(view(fast)).toEqual(view(slow));
  });
});

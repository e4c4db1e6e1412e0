/**
 * Property tests (fast-check): the scanner is total, documents without references are returned
 * as they are, and every reported range lies inside the source and starts at its reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SecretrefError } from '../../src/errors.js';
import { analyzeSource, classify, compileString, findReferences } from '../../src/syntax/index.js';
import { textAt } from './helpers.js';

/** Strings made of the characters the grammar cares about, so generated inputs hit every form. */
const pieces = ['$', '$$', '$ ', '{', '}', '{{', '}}', '{%', '%}', 'secrets', 'secrets.', '.', '[', ']', '(', ')', "'", '"', '`', 'f', '|', '~', ' ', '\n', '\\', 'a', 'x_1', '@', ':', '//', 'if', 'endif', 'raw', 'urlencode', 'default', 'constructor', '__proto__', '+', '?', '#', '-'];
const grammarish = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 })), { maxLength: 40 }).map((a) => a.join(''));
const anyString = fc.oneof(grammarish, fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }));

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/);

/** Text that contains none of the characters a reference form needs. */
const inert = fc.string({ maxLength: 30 }).map((s) => s.replace(/[${}%]/g, '_'));

function problemsOf(source: string): readonly { code: string }[] {
  try {
    findReferences(source);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(SecretrefError);
    return (e as SecretrefError).problems;
  }
}

describe('properties', () => {
  it('compileString is total: any string gives null, or references and catalogued problems', () => {
    fc.assert(
      fc.property(anyString, fc.array(name, { maxLength: 2 }), (s, vars) => {
        const c = compileString(s, new Set(vars));
        if (c === null) {
          expect(classify(s) === 'plain' || classify(s) === 'inline').toBe(true);
          return;
        }
        for (const p of c.problems) {
          expect(ERROR_CODES).toContain(p.code);
          expect(0 <= p.start && p.start <= p.end && p.end <= s.length).toBe(true);
        }
        for (const r of c.refs) expect(0 <= r.start && r.start < r.end && r.end <= s.length).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('analyzeSource is total on any text: only catalogued codes, never another exception', () => {
    fc.assert(
      fc.property(anyString, (src) => {
        for (const p of problemsOf(src)) expect(ERROR_CODES).toContain(p.code);
        const d = analyzeSource(src);
        for (const x of [...d.problems, ...d.references]) {
          const o = 'offset' in x ? x.offset : undefined;
          if (o) expect(0 <= o[0] && o[0] <= o[1] && o[1] <= src.length).toBe(true);
          if (x.range) expect(x.range.start.line <= x.range.end.line).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('analyzeSource is total on any string value, in YAML and in JSON', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        for (const src of [JSON.stringify({ k: s, l: [s] }), `k: ${JSON.stringify(s)}\nl:\n  - ${JSON.stringify(s)}\n`]) {
          const d = analyzeSource(src);
          for (const p of d.problems) expect(ERROR_CODES).toContain(p.code);
          for (const r of d.references) {
            expect(r.range).toBeDefined();
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('a JSON document without reference forms yields no references and its value equals JSON.parse', () => {
    const noForms = (v: unknown): boolean => !JSON.stringify(v).includes('$') && !JSON.stringify(v).includes('{{') && !JSON.stringify(v).includes('{%');
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }).filter((j) => noForms(JSON.parse(j))), (json) => {
        const d = analyzeSource(json);
        expect(d.problems).toEqual([]);
        expect(d.references).toEqual([]);
        expect(d.value).toEqual(JSON.parse(json));
      }),
      { numRuns: 500 },
    );
  });

  it('plain strings (no $, {{ or {%) are never compiled', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }).filter((s) => !s.includes('$') && !s.includes('{{') && !s.includes('{%')), (s) => {
        expect(compileString(s)).toBeNull();
      }),
    );
  });

  // A generated reference placed among inert text in a JSON or YAML string value.
  const placement = fc.record({
    before: inert,
    after: inert,
    name,
    form: fc.constantFrom('inline', 'braced', 'template', 'template-bracket', 'expression'),
    style: fc.constantFrom('json', 'yaml-double', 'yaml-single', 'yaml-literal'),
  });

  it('every reported range lies inside the source and starts at its reference', () => {
    fc.assert(
      fc.property(placement, ({ before, after, name: n, form, style }) => {
        const ref =
          form === 'inline' ? `$secrets.${n}` : form === 'braced' ? `\${secrets.${n}}` : form === 'template' ? `{{ secrets.${n} }}` : form === 'template-bracket' ? `{{ secrets['${n}'] }}` : `$ secrets.${n}`;
        // Keep the expression form first in its string; keep a name from running into the text.
        const value = form === 'expression' ? `${ref} + '${before.replace(/['\\]/g, '')}'` : `${before}${ref} ${after}`;
        const src =
          style === 'json'
            ? JSON.stringify({ tool: { header: value } }, null, 2)
            : style === 'yaml-double'
              ? `tool:\n  header: ${JSON.stringify(value)}\n`
              : style === 'yaml-single'
                ? `tool:\n  header: '${value.replace(/'/g, "''")}'\n`
                : `tool:\n  header: |-\n${value.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
        const d = analyzeSource(src);
        // Inert text may still make a line break a YAML literal line unrepresentable; skip those inputs.
        fc.pre(d.problems.every((p) => p.code !== 'INVALID_INPUT'));
        expect(d.problems).toEqual([]);
        expect(d.references.map((r) => [r.name, r.path])).toEqual([[n, '/tool/header']]);
        const r = d.references[0];
        const text = textAt(src, r?.range);
        const want = form === 'inline' || form === 'braced' ? ref : form === 'template-bracket' ? `secrets['${n}']` : `secrets.${n}`;
        expect(text).toBe(style === 'yaml-single' ? want.replace(/'/g, "''") : want);
        const end = r?.range?.end;
        expect(end && end.line <= src.split('\n').length).toBeTruthy();
      }),
      { numRuns: 1_000 },
    );
  });
});

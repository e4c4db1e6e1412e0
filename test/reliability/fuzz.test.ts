/**
 * Fuzzing with fast-check: the scanner (compileString, analyzeSource, findReferences), the
 * renderer (compile + render with values in hand and caller variables) and lint, over strings and
 * documents built from the reference language's own tokens, and over source text mutated at random.
 * Whatever the input, nothing escapes but a SecretrefError whose code — and every problem's code —
 * is in the catalog; lint never throws at all. Along the way: a document without references renders
 * to itself, and an exact reference renders its value verbatim, whatever the value.
 *
 * Default run: 4,700 cases. SECRETREF_STRESS=1: 105,000.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ERROR_CODES, SecretrefError } from '../../src/errors.js';
import { LINT_RULES } from '../../src/lint/rules.js';
import { lint } from '../../src/lint/lint.js';
import { compile, render } from '../../src/render/render.js';
import { compileString } from '../../src/syntax/compile-string.js';
import { analyzeSource, analyzeValue } from '../../src/syntax/document.js';
import { findReferences } from '../../src/syntax/find-references.js';
import { budget, scale } from '../helpers/stress.js';

const RUNS = {
  strings: scale(2_000, 40_000),
  documents: scale(1_200, 30_000),
  mutated: scale(1_000, 20_000),
  lint: scale(500, 15_000),
};

const TOKENS = [
  '$', '$$', '${', '}', '{', '{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', 'secrets', 'secrets.', '.', '[', ']', '"', "'", '`',
  '${secrets.', '$secrets.', '$$secrets.', '$ ', "$ f'", 'f"', '+', '?', ':', '??', '||', '&&', '!', '==', '(', ')', '|', ',', ' ',
  '\n', '\r\n', '\\', '\\u', 'if', 'elif', 'else', 'endif', 'raw', 'endraw', 'set', 'for', 'in', 'macro', 'urlencode', 'b64encode',
  'b64decode', 'json', 'trim', 'lower', 'upper', 'default', 'raw', 'constructor', '__proto__', 'prototype', 'range', 'process',
  'k', 'api_key', 'K', 'x', 'v', '0', '1e999', '-0', 'true', 'null', 'undefined', '://', 'postgres://', '@', 'user:', 'https://h/',
  '-', '~', 'é', '🔑', '\u0000', '\ud800', '\udc00', '\t', '\u2028', '#', '&a ', '*a', '<<: ', '- ', '? ', '%YAML', '---', '...',
];
const piece = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
const tricky = fc.array(piece, { maxLength: 25 }).map((a) => a.join(''));
const NAMES = ['k', 'api_key', 'x', 'K', 'constructor', '__proto__', 'toString', 'v'];
const VALID_NAMES = NAMES.filter((n) => /^[A-Za-z][A-Za-z0-9_]*$/.test(n));
/** Well-formed references of every form, so that many documents render. */
const wellFormed = fc
  .tuple(
    fc.constantFrom(...VALID_NAMES),
    fc.constantFrom(
      '$secrets.N',
      'Bearer ${secrets.N}',
      'postgres://u:${secrets.N}@db:5432/app',
      '{{ secrets.N }}',
      '{{ secrets["N"] | urlencode }}',
      '{{ secrets.N | b64encode | upper }}',
      '{% if secrets.N %}yes {{ secrets.N | trim }}{% else %}no{% endif %}',
      '$ secrets.N',
      '$ "x-" + secrets.N',
      '$ `t ${secrets.N}`',
      "$ f'Bearer {secrets.N}'",
      '$ secrets.N ?? "d"',
      '$ v',
      '{{ v }} {{ secrets.N | json }}',
      '$$secrets.N and $${secrets.N}',
    ),
    fc.string({ maxLength: 4 }),
  )
  .map(([n, form, tail]) => form.replaceAll('N', n) + (form.startsWith('$ ') || form === '$secrets.N' ? '' : tail));
const text = fc.oneof({ weight: 1, arbitrary: tricky }, { weight: 2, arbitrary: wellFormed }, { weight: 2, arbitrary: fc.string({ maxLength: 10 }) });
const key = fc.oneof(fc.constantFrom('name', 'description', 'url', 'headers', 'body', 'parameters', ...NAMES), tricky);
const doc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).value;
const secrets = fc.dictionary(fc.constantFrom(...NAMES), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), wellFormed), { maxKeys: 8 });
const vars = fc.record({ v: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null)) });

/** Runs `fn`; anything thrown must be a catalogued SecretrefError. */
function catalogued<T>(fn: () => T): T | SecretrefError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SecretrefError)) throw new Error(`uncatalogued exception: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
    expect(ERROR_CODES).toContain(e.code);
    for (const p of e.problems) expect(ERROR_CODES).toContain(p.code);
    return e;
  }
}

async function cataloguedAsync<T>(fn: () => Promise<T>): Promise<T | SecretrefError> {
  try {
    return await fn();
  } catch (e) {
    return catalogued(() => {
      throw e;
    });
  }
}

/** A random edit of `text`: insert a token, delete a slice, or duplicate a slice. */
const mutation = fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('insert', 'delete', 'duplicate'), fc.constantFrom(...TOKENS));
function mutate(text: string, [at, len, kind, token]: [number, number, string, string]): string {
  const i = text.length ? at % (text.length + 1) : 0;
  if (kind === 'insert') return text.slice(0, i) + token + text.slice(i);
  if (kind === 'delete') return text.slice(0, i) + text.slice(i + len);
  return text.slice(0, i + len) + text.slice(i, i + len) + text.slice(i + len);
}

const lintCodes = Object.keys(LINT_RULES);
const counts = { errors: new Map<string, number>(), rendered: 0 };
const tally = (r: unknown): void => {
  if (r instanceof SecretrefError) counts.errors.set(r.code, (counts.errors.get(r.code) ?? 0) + 1);
};

describe('fuzzing the scanner, the renderer and lint', () => {
  it(`scanner: ${RUNS.strings} string values — compileString, classification and references never throw uncatalogued`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(tricky, wellFormed), fc.boolean(), async (s, withVars) => {
        const compiled = catalogued(() => compileString(s, withVars ? new Set(['v']) : undefined));
        if (compiled !== null && !(compiled instanceof SecretrefError)) {
          for (const p of compiled.problems) expect(ERROR_CODES).toContain(p.code);
          for (const r of compiled.refs) expect(r.start).toBeLessThanOrEqual(r.end);
        }
        tally(catalogued(() => findReferences(JSON.stringify({ x: s }))));
        tally(await cataloguedAsync(() => render({ x: s }, { secrets: { k: 'v', api_key: 'a$b{{c}}' }, ...(withVars ? { vars: { v: 1 } } : {}) })));
      }),
      { numRuns: RUNS.strings },
    );
  }, budget(60_000, 900_000));

  it(`renderer: ${RUNS.documents} documents — compile and render never throw uncatalogued; untouched documents render themselves; values verbatim`, async () => {
    await fc.assert(
      fc.asyncProperty(doc, secrets, vars, fc.constantFrom('object', 'json', 'yaml'), async (value, values, v, as) => {
        const input = as === 'object' ? value : as === 'json' ? (JSON.stringify(value) ?? 'null') : stringify(value);
        // Analysed with the vars it is compiled with: `$ v` is an expression only when v is a var.
        const analyzed = catalogued(() => (typeof input === 'string' ? analyzeSource(input, { vars: ['v'] }) : analyzeValue(input, { vars: ['v'] })));
        if (!(analyzed instanceof SecretrefError)) for (const p of analyzed.problems) expect(ERROR_CODES).toContain(p.code);
        const compiled = catalogued(() => compile(input, { vars: ['v'] }));
        tally(compiled);
        if (compiled instanceof SecretrefError) return;
        const out = catalogued(() => compiled.render(values, { vars: v }));
        tally(out);
        const viaResolverless = await cataloguedAsync(() => render(input, { secrets: values, vars: v }));
        tally(viaResolverless);
        if (!(out instanceof SecretrefError)) {
          counts.rendered++;
          // No string the reference language touches (no reference, variable or escape): the
          // document renders to itself. (A top-level string passed as the definition is source text.)
          const untouched = !(analyzed instanceof SecretrefError) && analyzed.sites.length === 0;
          if (untouched && as === 'object' && typeof value !== 'string') expect(out.value).toEqual(value);
          if (untouched && as === 'json') expect(out.value).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
          for (const [name, secret] of Object.entries(values).filter(([n]) => VALID_NAMES.includes(n))) {
            // Whatever the value holds ({{ }}, $secrets.x, quotes), an exact reference inserts it verbatim.
            const exact = compile({ x: `$secrets.${name}` }).render(values);
            expect((exact.value as { x: string }).x).toBe(secret);
          }
        }
      }),
      { numRuns: RUNS.documents },
    );
  }, budget(90_000, 1_800_000));

  it(`scanner and renderer: ${RUNS.mutated} source texts mutated at random`, async () => {
    await fc.assert(
      fc.asyncProperty(doc, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), secrets, async (value, edits, yaml, values) => {
        let text = yaml ? stringify(value) : (JSON.stringify(value, null, 2) ?? 'null');
        for (const e of edits) text = mutate(text, e);
        const analyzed = catalogued(() => analyzeSource(text, { filename: 'm.yaml' }));
        if (!(analyzed instanceof SecretrefError)) {
          for (const p of analyzed.problems) {
            expect(ERROR_CODES).toContain(p.code);
            if (p.range) expect(p.range.start.line).toBeGreaterThanOrEqual(1);
          }
        }
        tally(catalogued(() => findReferences(text, { filename: 'm.yaml' })));
        tally(await cataloguedAsync(() => render(text, { secrets: values, filename: 'm.yaml' })));
      }),
      { numRuns: RUNS.mutated },
    );
  }, budget(90_000, 1_800_000));

  it(`lint: ${RUNS.lint} documents and mutated texts — never throws, every diagnostic well-formed`, async () => {
    await fc.assert(
      fc.asyncProperty(doc, fc.array(mutation, { maxLength: 3 }), fc.boolean(), async (value, edits, yaml) => {
        let text = yaml ? stringify(value) : (JSON.stringify(value, null, 2) ?? 'null');
        for (const e of edits) text = mutate(text, e);
        const ds = await lint(text, { filename: 'f.yaml', vars: ['v'] });
        for (const d of ds) {
          expect(lintCodes).toContain(d.code);
          expect(d.range.start.line).toBeGreaterThanOrEqual(1);
          expect(d.range.start.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: RUNS.lint },
    );
    const total = RUNS.strings + RUNS.documents + RUNS.mutated + RUNS.lint;
    console.info(
      `[reliability] fuzz: ${total} cases; ${counts.rendered} documents rendered; catalogued errors seen: ${[...counts.errors].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`,
    );
  }, budget(60_000, 1_800_000));
});

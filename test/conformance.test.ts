/**
 * Runs every case of fixtures/conformance/ (format: fixtures/conformance/README.md) through
 * findReferences, and through the renderer when the case has a `render` block.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SecretrefError, type Range } from '../src/errors.js';
import { findReferences } from '../src/syntax/index.js';

type Tuple = [number, number, number, number];

interface ExpectedReference {
  name: string;
  form: 'expression' | 'template' | 'inline';
  path: string;
  range: Tuple;
  optional?: boolean;
  context?: 'text' | 'userinfo';
}

interface ExpectedError {
  code: string;
  path: string;
  range?: Tuple;
}

interface RenderBlock {
  secrets: Record<string, string>;
  vars?: Record<string, string | number | boolean | null>;
  output?: unknown;
  errors?: { code: string; path: string }[];
}

interface Case {
  description: string;
  filename: string;
  input: string;
  vars?: string[];
  references?: ExpectedReference[];
  errors?: ExpectedError[];
  render?: RenderBlock;
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'conformance');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

/** Parses and checks one case file; a malformed case is a failure, never a skip. */
function load(file: string): Case {
  const c = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown>;
  const fail = (why: string): never => {
    throw new Error(`${file}: malformed case: ${why}`);
  };
  const known = ['description', 'filename', 'input', 'vars', 'references', 'errors', 'render'];
  for (const k of Object.keys(c)) if (!known.includes(k)) fail(`unknown field "${k}"`);
  if (typeof c.description !== 'string' || c.description === '') fail('description must be a non-empty string');
  if (typeof c.filename !== 'string' || !/^[\w.-]+\.(ya?ml|json)$/.test(c.filename)) fail('filename must be a .yaml/.yml/.json file name');
  if (typeof c.input !== 'string') fail('input must be a string');
  if (c.vars !== undefined && !(Array.isArray(c.vars) && c.vars.every((v) => typeof v === 'string'))) fail('vars must be an array of names');
  if ((c.references === undefined) === (c.errors === undefined)) fail('exactly one of references / errors is required');
  const isTuple = (r: unknown): boolean => Array.isArray(r) && r.length === 4 && r.every((n) => Number.isInteger(n) && n >= 1);
  if (c.references !== undefined) {
    if (!Array.isArray(c.references)) fail('references must be an array');
    for (const r of c.references as Record<string, unknown>[]) {
      for (const k of Object.keys(r)) if (!['name', 'form', 'path', 'range', 'optional', 'context'].includes(k)) fail(`unknown reference field "${k}"`);
      if (typeof r.name !== 'string' || typeof r.path !== 'string') fail('a reference needs name and path');
      if (!['expression', 'template', 'inline'].includes(r.form as string)) fail(`bad form ${String(r.form)}`);
      if (!isTuple(r.range)) fail('a reference needs a range [startLine, startCol, endLine, endCol]');
      if (r.optional !== undefined && typeof r.optional !== 'boolean') fail('optional must be a boolean');
      if (r.context !== undefined && r.context !== 'text' && r.context !== 'userinfo') fail('context must be text or userinfo');
    }
  }
  if (c.errors !== undefined) {
    if (!Array.isArray(c.errors) || c.errors.length === 0) fail('errors must be a non-empty array');
    for (const e of c.errors as Record<string, unknown>[]) {
      for (const k of Object.keys(e)) if (!['code', 'path', 'range'].includes(k)) fail(`unknown error field "${k}"`);
      if (!ERROR_CODES.includes(e.code as never)) fail(`unknown code ${String(e.code)}`);
      if (typeof e.path !== 'string') fail('an error needs a path');
      if (e.range !== undefined && !isTuple(e.range)) fail('range must be [startLine, startCol, endLine, endCol]');
    }
  }
  if (c.render !== undefined) {
    const r = c.render as Record<string, unknown>;
    if (!file.startsWith('render-')) fail('render blocks belong in render-*.json files');
    for (const k of Object.keys(r)) if (!['secrets', 'vars', 'output', 'errors'].includes(k)) fail(`unknown render field "${k}"`);
    if (!r.secrets || typeof r.secrets !== 'object' || Array.isArray(r.secrets)) fail('render.secrets must be an object');
    if (('output' in r) === ('errors' in r)) fail('render needs exactly one of output / errors');
  }
  return c as unknown as Case;
}

function tuple(r: Range | undefined): Tuple | undefined {
  return r && [r.start.line, r.start.column, r.end.line, r.end.column];
}

const CASES = FILES.map((f) => [f, load(f)] as const);

describe('conformance corpus', () => {
  it('has at least 70 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(70);
  });

  it.each(CASES)('%s', (_file, c) => {
    const opts = { filename: c.filename, ...(c.vars ? { vars: c.vars } : {}) };
    let got: ReturnType<typeof findReferences> | undefined;
    let error: unknown;
    try {
      got = findReferences(c.input, opts);
    } catch (e) {
      error = e;
    }
    if (c.references) {
      if (error) throw error;
      const want = c.references;
      const shown = (got ?? []).map((r, i) => {
        const w = want[i];
        return {
          name: r.name,
          form: r.form,
          path: r.path,
          range: tuple(r.range),
          ...(w?.optional !== undefined ? { optional: r.optional } : {}),
          ...(w?.context !== undefined ? { context: r.context } : {}),
        };
      });
      expect(shown).toEqual(want);
    } else {
      expect(error, 'expected findReferences to throw').toBeInstanceOf(SecretrefError);
      const problems = (error as SecretrefError).problems.map((p, i) => ({
        code: p.code,
        path: p.path,
        ...(c.errors?.[i]?.range !== undefined ? { range: tuple(p.range) } : {}),
      }));
      expect(problems).toEqual(c.errors);
    }
  });

  const withRender: (readonly [string, Case | undefined])[] = CASES.filter(([, c]) => c.render);
  if (withRender.length === 0) withRender.push(['(no render cases yet)', undefined]);
  it.each(withRender)('render %s', async (_file, c) => {
    if (!c?.render) return;
    // The renderer is another stage; a case that has a render block fails (never skips) without it.
    const mod = (await import('../src/render/index.js').catch(() => ({}))) as { compile?: unknown };
    expect(typeof mod.compile, 'src/render/index.ts must export compile to run render blocks').toBe('function');
    const compile = mod.compile as (d: string, o: { filename?: string; vars?: readonly string[] }) => {
      render(s: Record<string, string>, o?: { vars?: Record<string, string | number | boolean | null> }): { value: unknown };
    };
    const r = c.render;
    const run = () => compile(c.input, { filename: c.filename, ...(c.vars ? { vars: c.vars } : {}) }).render(r.secrets, r.vars ? { vars: r.vars } : {});
    if (r.errors) {
      let thrown: unknown;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, 'expected the render to throw').toBeInstanceOf(SecretrefError);
      expect((thrown as SecretrefError).problems.map((p) => ({ code: p.code, path: p.path }))).toEqual(r.errors);
    } else {
      expect(run().value).toEqual(r.output);
    }
  });
});

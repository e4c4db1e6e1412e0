/**
 * Runs every case of fixtures/conformance/ (format: fixtures/conformance/README.md) through
 * findReferences, and through the renderer when the case has a `render` block. Each case names the
 * section of grammar/README.md it exercises; every section is exercised by some case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SecretrefError, type Range } from '../src/errors.js';
import { compile } from '../src/render/index.js';
import { DIALECTS, findReferences, type Dialect } from '../src/syntax/index.js';

type Tuple = [number, number, number, number];

interface ExpectedReference {
  name: string;
  form: 'expression' | 'template' | 'inline' | 'fstring';
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
  errors?: ExpectedError[];
}

interface Case {
  description: string;
  section: string;
  dialect?: Dialect;
  filename: string;
  input: string;
  vars?: string[];
  references?: ExpectedReference[];
  errors?: ExpectedError[];
  render?: RenderBlock;
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'conformance');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

/**
 * The sections of grammar/README.md a case can name: `§N Title` for each `## N. Title`, except
 * that a section made of bold-titled paragraphs (§2, its decisions) is named by those instead,
 * `§N Title` for each paragraph opening with `**Title.**`.
 */
function grammarSections(markdown: string): string[] {
  const sections: { name: string; parts: string[] }[] = [];
  let fenced = false;
  let previous = '';
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^## (\d+)\. (.+)$/.exec(line);
    const titled = fenced || previous.trim() !== '' ? null : /^\*\*(.+?)\*\*/.exec(line);
    previous = line;
    if (heading) sections.push({ name: `§${heading[1]} ${heading[2]}`, parts: [] });
    const current = sections.at(-1);
    if (titled && current) current.parts.push(`${current.name.split(' ')[0]} ${titled[1]!.replace(/\.$/, '')}`);
  }
  return sections.flatMap((s) => (s.parts.length > 0 ? s.parts : [s.name]));
}

const GRAMMAR = join(import.meta.dirname, '..', 'grammar');
/** Sections a case can name, per dialect: grammar/README.md for secretref, grammar/julep.md for julep. */
const SECTIONS_OF: Record<Dialect, string[]> = {
  secretref: grammarSections(readFileSync(join(GRAMMAR, 'README.md'), 'utf8')),
  // §4 of julep.md lists known limits: nothing to run.
  julep: grammarSections(readFileSync(join(GRAMMAR, 'julep.md'), 'utf8')).filter((s) => !s.startsWith('§4 ')),
};
const SECTIONS = SECTIONS_OF.secretref;

/** Parses and checks one case file; a malformed case is a failure, never a skip. */
function load(file: string): Case {
  const c = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown>;
  const fail = (why: string): never => {
    throw new Error(`${file}: malformed case: ${why}`);
  };
  const known = ['description', 'section', 'dialect', 'filename', 'input', 'vars', 'references', 'errors', 'render'];
  for (const k of Object.keys(c)) if (!known.includes(k)) fail(`unknown field "${k}"`);
  if (typeof c.description !== 'string' || c.description === '') fail('description must be a non-empty string');
  if (c.dialect !== undefined && !(DIALECTS as readonly unknown[]).includes(c.dialect)) fail(`dialect must be one of ${DIALECTS.join(', ')}`);
  const sections = SECTIONS_OF[(c.dialect as Dialect | undefined) ?? 'secretref'];
  if (typeof c.section !== 'string' || !sections.includes(c.section)) {
    fail(`section must name a section of the dialect's grammar page, one of: ${sections.map((s) => JSON.stringify(s)).join(', ')}`);
  }
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
      if (!['expression', 'template', 'inline', 'fstring'].includes(r.form as string)) fail(`bad form ${String(r.form)}`);
      if (!isTuple(r.range)) fail('a reference needs a range [startLine, startCol, endLine, endCol]');
      if (r.optional !== undefined && typeof r.optional !== 'boolean') fail('optional must be a boolean');
      if (r.context !== undefined && r.context !== 'text' && r.context !== 'userinfo') fail('context must be text or userinfo');
    }
  }
  const checkErrors = (errors: unknown, where: string): void => {
    if (!Array.isArray(errors) || errors.length === 0) fail(`${where} must be a non-empty array`);
    for (const e of errors as Record<string, unknown>[]) {
      for (const k of Object.keys(e)) if (!['code', 'path', 'range'].includes(k)) fail(`unknown error field "${k}"`);
      if (!ERROR_CODES.includes(e.code as never)) fail(`unknown code ${String(e.code)}`);
      if (typeof e.path !== 'string') fail('an error needs a path');
      if (e.range !== undefined && !isTuple(e.range)) fail('range must be [startLine, startCol, endLine, endCol]');
    }
  };
  if (c.errors !== undefined) checkErrors(c.errors, 'errors');
  if (c.render !== undefined) {
    const r = c.render as Record<string, unknown>;
    if (!file.startsWith('render-')) fail('render blocks belong in render-*.json files');
    for (const k of Object.keys(r)) if (!['secrets', 'vars', 'output', 'errors'].includes(k)) fail(`unknown render field "${k}"`);
    if (!r.secrets || typeof r.secrets !== 'object' || Array.isArray(r.secrets)) fail('render.secrets must be an object');
    if (('output' in r) === ('errors' in r)) fail('render needs exactly one of output / errors');
    if (r.errors !== undefined) checkErrors(r.errors, 'render.errors');
  }
  return c as unknown as Case;
}

function tuple(r: Range | undefined): Tuple | undefined {
  return r && [r.start.line, r.start.column, r.end.line, r.end.column];
}

/** The problems of `error` as a case writes them: `range` only where the case gives one. */
function asExpected(error: SecretrefError, want: readonly ExpectedError[]): object[] {
  return error.problems.map((p, i) => ({
    code: p.code,
    path: p.path,
    ...(want[i]?.range !== undefined ? { range: tuple(p.range) } : {}),
  }));
}

const CASES = FILES.map((f) => [f, load(f)] as const);

describe('conformance corpus', () => {
  it('has at least 70 cases, some of them rendered', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(70);
    expect(CASES.filter(([, c]) => c.render).length).toBeGreaterThan(0);
  });

  it('exercises every section of grammar/README.md and grammar/julep.md', () => {
    expect(SECTIONS.length).toBeGreaterThanOrEqual(9);
    expect(SECTIONS_OF.julep.length).toBeGreaterThanOrEqual(3);
    for (const dialect of DIALECTS) {
      const named = new Set(CASES.filter(([, c]) => (c.dialect ?? 'secretref') === dialect).map(([, c]) => c.section));
      expect(SECTIONS_OF[dialect].filter((s) => !named.has(s)), `${dialect}: sections no case names`).toEqual([]);
    }
  });

  it.each(CASES)('%s', (_file, c) => {
    const opts = { filename: c.filename, ...(c.vars ? { vars: c.vars } : {}), ...(c.dialect ? { dialect: c.dialect } : {}) };
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
      expect(asExpected(error as SecretrefError, c.errors ?? [])).toEqual(c.errors);
    }
  });

  const withRender = CASES.filter((entry): entry is readonly [string, Case & { render: RenderBlock }] => entry[1].render !== undefined);
  it.each(withRender)('render %s', (_file, c) => {
    const r = c.render;
    const run = () => compile(c.input, { filename: c.filename, ...(c.vars ? { vars: c.vars } : {}), ...(c.dialect ? { dialect: c.dialect } : {}) }).render(r.secrets, r.vars ? { vars: r.vars } : {});
    if (r.errors) {
      let thrown: unknown;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, 'expected the render to throw').toBeInstanceOf(SecretrefError);
      expect(asExpected(thrown as SecretrefError, r.errors)).toEqual(r.errors);
    } else {
      expect(run().value).toEqual(r.output);
    }
  });
});

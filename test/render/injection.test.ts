import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOG, SecretrefError } from '../../src/errors.js';
import { compile, render } from '../../src/render/index.js';
import { rejected } from './helpers.js';

interface Case {
  id: string;
  value: string;
  code: keyof typeof ERROR_CATALOG;
  why: string;
  liveInStockNunjucks?: boolean;
}

const dir = new URL('../../fixtures/injection/', import.meta.url);
const cases: (Case & { file: string })[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) => (JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { cases: Case[] }).cases.map((c) => ({ ...c, file })));

const markers: string[] = [];
function marker(id: string): string {
  const path = join(tmpdir(), `secretref-injection-${process.pid}-${id}.marker`);
  rmSync(path, { force: true });
  markers.push(path);
  return path;
}
afterAll(() => {
  for (const m of markers) rmSync(m, { force: true });
});

describe('injection corpus', () => {
  it('has at least 30 payloads with unique ids and catalogued codes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) expect(Object.keys(ERROR_CATALOG)).toContain(c.code);
  });

  // A `$ ` string that mentions neither secrets nor a var is plain text and never evaluated; the
  // payloads mention secrets (` + secrets.k`) to reach the evaluator. Without it they are inert.
  const inert = cases.filter((c) => c.value.startsWith('$') && c.value.endsWith(' + secrets.k') && !/\bsecrets\b/.test(c.value.slice(0, -' + secrets.k'.length)));
  it('has payloads that are inert without secrets', () => expect(inert.length).toBeGreaterThanOrEqual(5));
  it.each(inert)('$id without secrets is inert text: rendered unchanged, nothing runs', async (c) => {
    const path = marker(`${c.id}-inert`);
    const value = c.value.slice(0, -' + secrets.k'.length).replaceAll('__MARKER__', path);
    expect((await render({ name: 'tool', field: value }, { secrets: {} })).value).toEqual({ name: 'tool', field: value });
    expect(existsSync(path)).toBe(false);
  });

  describe.each(cases)('$file: $id', (c) => {
    it(`is refused with ${c.code} before anything runs`, async () => {
      const path = marker(c.id);
      const value = c.value.replaceAll('__MARKER__', path);
      const secrets = { k: 'v', a: 'x', b: 'y' };
      // As an object: compile refuses it; render() rejects it.
      let e: unknown;
      try {
        compile({ name: 'tool', field: value }).render(secrets);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(SecretrefError);
      const problems = (e as SecretrefError).problems;
      expect(problems.map((p) => p.code)).toContain(c.code);
      for (const p of problems) {
        expect(Object.keys(ERROR_CATALOG)).toContain(p.code);
        expect(p.path).toBe('/field');
      }
      expect((await rejected(render({ name: 'tool', field: value }, { secrets }))).problems.map((p) => p.code)).toContain(c.code);
      // As source text: same verdict, with a position.
      const fromText = await rejected(render(JSON.stringify({ name: 'tool', field: value }), { secrets }));
      expect(fromText.problems.map((p) => p.code)).toContain(c.code);
      for (const p of fromText.problems) expect(p.range?.start.line).toBe(1);
      expect(existsSync(path)).toBe(false);
    });
  });

  describe('the live payloads do run in stock nunjucks (so refusing them matters)', () => {
    const live = cases.filter((c) => c.liveInStockNunjucks);
    it('has live payloads', () => expect(live.length).toBeGreaterThanOrEqual(3));
    it.each(live)('$id writes its marker in nunjucks.renderString', (c) => {
      const path = marker(`${c.id}-stock`);
      const env = new nunjucks.Environment(null, { autoescape: false });
      env.renderString(c.value.replaceAll('__MARKER__', path), { secrets: { k: 'v' } });
      expect(existsSync(path)).toBe(true);
      rmSync(path, { force: true });
      // The same payload through secretref: refused, nothing written.
      expect(() => compile({ field: c.value.replaceAll('__MARKER__', path) })).toThrow(SecretrefError);
      expect(existsSync(path)).toBe(false);
    });
  });
});

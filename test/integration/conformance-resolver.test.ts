/**
 * The conformance corpus's render cases through the second render path: `render(…, { resolver })`
 * over a real store (PGlite, in memory), with the case's secrets created in it. Each must give
 * what the case says — the same output, or the same problems (code, path, range) — as the values-
 * in-hand path that test/conformance.test.ts runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver, keygen, openStore, render, SecretrefError, type Dialect, type Range, type Store } from '../../src/index.js';

interface RenderCase {
  filename: string;
  input: string;
  dialect?: Dialect;
  vars?: string[];
  render: { secrets: Record<string, string>; vars?: Record<string, string | number | boolean | null>; output?: unknown; errors?: { code: string; path: string; range?: [number, number, number, number] }[] };
}

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'conformance');
const CASES = readdirSync(DIR)
  .filter((f) => f.startsWith('render-') && f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), 'utf8')) as RenderCase] as const);

const tuple = (r: Range | undefined) => r && [r.start.line, r.start.column, r.end.line, r.end.column];
let store: Store;

beforeAll(async () => {
  store = await openStore({ url: 'memory:', masterKey: keygen() });
}, 120_000);
afterAll(async () => store?.close());

describe('conformance render cases through a resolver over a real store', () => {
  it('has the render cases', () => expect(CASES.length).toBeGreaterThanOrEqual(15));

  it.each(CASES)('%s', async (file, c) => {
    // One developer per case: its store holds exactly the case's secrets.
    const developerId = `00000000-0000-4000-8000-${String(CASES.findIndex(([f]) => f === file) + 1).padStart(12, '0')}`;
    const scoped = store.scope(developerId);
    for (const [name, value] of Object.entries(c.render.secrets)) await scoped.create({ name, value });
    const resolver = createResolver(store, { developerId });
    try {
      const run = render(c.input, {
        resolver,
        filename: c.filename,
        ...(c.dialect ? { dialect: c.dialect } : {}),
        ...(c.render.vars ? { vars: c.render.vars } : {}),
      });
      if (c.render.errors) {
        const e = await run.then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(SecretrefError);
        const want = c.render.errors;
        expect((e as SecretrefError).problems.map((p, i) => ({ code: p.code, path: p.path, ...(want[i]?.range ? { range: tuple(p.range) } : {}) }))).toEqual(want);
      } else {
        expect((await run).value).toEqual(c.render.output);
      }
    } finally {
      resolver.close();
    }
  });
});

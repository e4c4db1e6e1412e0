import fc from 'fast-check';
import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/render/index.js';

/** Passwords built from the characters that break naive connection strings, plus any Unicode. */
const password = fc
  .array(fc.oneof(fc.constantFrom('@', ':', '/', '?', '#', '%', '%25', '%zz', ' ', '+', '&', '=', '[', ']', '\\', '"', "'", '$', '{{', '}}', 'é', '🔑', '\u0000'), fc.string({ unit: 'grapheme', maxLength: 8 })), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(''));
const user = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 });

describe('context encoding of URL userinfo', () => {
  const c = compile({ url: 'postgresql://$secrets.u:${secrets.p}@db:5432/app' });
  const t = compile({ url: 'postgresql://{{ secrets.u }}:{{ secrets.p }}@db:5432/app' });

  it('round-trips any password through new URL (property)', () => {
    fc.assert(
      fc.property(user, password, (u, p) => {
        for (const compiled of [c, t]) {
          const url = new URL((compiled.render({ u, p }).value as { url: string }).url);
          expect(decodeURIComponent(url.password)).toBe(p);
          expect(decodeURIComponent(url.username)).toBe(u);
          expect(url.hostname).toBe('db');
          expect(url.port).toBe('5432');
          expect(url.pathname).toBe('/app');
        }
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any password through pg's connection-string parser (property)", () => {
    fc.assert(
      fc.property(user, password, (u, p) => {
        const cfg = parse((c.render({ u, p }).value as { url: string }).url);
        expect(cfg.password).toBe(p);
        expect(cfg.user).toBe(u);
        expect(cfg.host).toBe('db');
        expect(cfg.port).toBe('5432');
        expect(cfg.database).toBe('app');
      }),
      { numRuns: 500 },
    );
  });

  it('leaves an explicitly raw value alone and does not double-encode urlencode', () => {
    const r = compile({ a: 'redis://:{{ secrets.p | raw }}@h', b: 'redis://:{{ secrets.p | urlencode }}@h', c: 'redis://:{{ secrets.p }}@h' });
    expect(r.render({ p: 'a%41' }).value).toEqual({ a: 'redis://:a%41@h', b: 'redis://:a%2541@h', c: 'redis://:a%2541@h' });
  });

  it('refuses a lone surrogate in the userinfo instead of mangling it', () => {
    expect(() => c.render({ u: 'x', p: 'a\ud800b' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

import { describe, expect, it } from 'vitest';
import { compile, render } from '../../src/render/index.js';

const S = { api_key: 'sk_live_123', user: 'alice', pass: 'p@ss w:rd', multi: 'a\nb', padded: '  Hi There  ', b64: 'aGVsbG8gd29ybGQ=' };

function one(value: string, secrets: Record<string, string> = S, vars?: string[], varValues?: Record<string, string | number | boolean | null>): unknown {
  const c = compile({ v: value }, vars ? { vars } : {});
  return (c.render(secrets, varValues ? { vars: varValues } : {}).value as { v: unknown }).v;
}

describe('forms', () => {
  it('renders the exact expression `$secrets.NAME`', () => {
    expect(one('$secrets.api_key')).toBe('sk_live_123');
  });
  it('renders `$ secrets.NAME` expressions, concatenation, template literals and f-strings', () => {
    expect(one('$ secrets.api_key')).toBe('sk_live_123');
    expect(one("$ 'Bearer ' + secrets.api_key")).toBe('Bearer sk_live_123');
    expect(one('$ `Bearer ${secrets.api_key}`')).toBe('Bearer sk_live_123');
    expect(one("$ f'Bearer {secrets.api_key}'")).toBe('Bearer sk_live_123');
    expect(one('$ secrets["api_key"]')).toBe('sk_live_123');
  });
  it('keeps the type of a non-string expression', () => {
    expect(one('$ 1 + 2')).toBe('$ 1 + 2'); // no secrets, no vars: plain text
    expect(one('$ secrets.api_key != "" && 2')).toBe(2);
    expect(one('$ secrets.api_key == "sk_live_123"')).toBe(true);
    expect(one('$ !secrets.nope')).toBe(true);
    expect(one('$ secrets.nope ?? null')).toBeNull();
  });
  it('renders templates with filters and if/elif/else', () => {
    expect(one('Bearer {{ secrets.api_key }}')).toBe('Bearer sk_live_123');
    expect(one('{{ secrets["pass"] | urlencode }}')).toBe('p%40ss%20w%3Ard');
    expect(one('{% if secrets.nope %}a{% elif secrets.user %}b{{ secrets.user }}{% else %}c{% endif %}')).toBe('balice');
    expect(one('{% if secrets.nope %}a{% else %}c{% endif %}')).toBe('c');
    expect(one('{{ secrets.user ~ "-" ~ secrets.api_key }}')).toBe('alice-sk_live_123');
    expect(one('{{ "x" if secrets.user else "y" }}')).toBe('x');
    expect(one('{% raw %}{{ secrets.user }}{% endraw %} {{ secrets.user }}')).toBe('{{ secrets.user }} alice');
  });
  it('renders inline references and the $$ escape', () => {
    expect(one('key=$secrets.api_key&u=${secrets.user}')).toBe('key=sk_live_123&u=alice');
    expect(one('literal $$secrets.api_key and $${secrets.user}, price $5')).toBe('literal $secrets.api_key and ${secrets.user}, price $5');
  });
  it('applies every built-in identically in both forms', () => {
    const cases: [string, string][] = [
      ['urlencode', 'p%40ss%20w%3Ard'],
      ['b64encode', Buffer.from('p@ss w:rd').toString('base64')],
      ['json', 'p@ss w:rd'],
      ['trim', 'p@ss w:rd'],
      ['lower', 'p@ss w:rd'],
      ['upper', 'P@SS W:RD'],
      ['raw', 'p@ss w:rd'],
    ];
    for (const [fn, want] of cases) {
      expect(one(`{{ secrets.pass | ${fn} }}`), fn).toBe(want);
      expect(one(`$ ${fn}(secrets.pass)`), fn).toBe(want);
    }
    expect(one('{{ secrets.padded | trim | lower }}')).toBe('hi there');
    expect(one('$ upper(trim(secrets.padded))')).toBe('HI THERE');
    expect(one('{{ secrets.b64 | b64decode }}')).toBe('hello world');
    expect(one('$ b64decode(secrets.b64)')).toBe('hello world');
    expect(one('{{ secrets.multi | json }}')).toBe('a\\nb');
    expect(one('$ json(secrets.multi)')).toBe('a\\nb');
    expect(one('{{ secrets.nope | default("fallback") }}')).toBe('fallback');
    expect(one('$ default(secrets.nope, "fallback")')).toBe('fallback');
    expect(one('{{ secrets.user | default("fallback") }}')).toBe('alice');
  });
  it('b64encode and b64decode round-trip UTF-8', () => {
    expect(one('{{ secrets.u | b64encode | b64decode }}', { u: 'pässwörd ✓ 🔑' })).toBe('pässwörd ✓ 🔑');
  });
  it('accepts a missing secret behind ??, ||, default and if-tests', () => {
    expect(one("$ secrets.nope ?? 'a'")).toBe('a');
    expect(one("$ secrets.nope || 'b'")).toBe('b');
    expect(one("$ secrets.nope ?? secrets.user")).toBe('alice');
    expect(one('{{ secrets.nope or "c" }}')).toBe('c');
    expect(one('{% if secrets.nope %}{{ secrets.nope }}{% endif %}x')).toBe('x');
    expect(one('{% if not secrets.nope %}none{% endif %}')).toBe('none');
  });
  it('reads caller variables, own properties only', () => {
    expect(one('{{ region }}-{{ secrets.user }}', S, ['region'], { region: 'eu' })).toBe('eu-alice');
    expect(one("$ 'https://' + host + '/?k=' + secrets.api_key", S, ['host'], { host: 'h.example' })).toBe('https://h.example/?k=sk_live_123');
    expect(one('$ constructor ?? "unset"', S, ['constructor'], {})).toBe('unset');
  });
  it('works with a Map of secrets and with environment overlays', () => {
    const c = compile({ k: '$secrets.stripe_key' });
    expect(c.render(new Map([['stripe_key', 'dev']])).value).toEqual({ k: 'dev' });
    expect(c.render({ stripe_key: 'dev', prod_stripe_key: 'prod' }, { environment: 'prod' }).value).toEqual({ k: 'prod' });
    expect(c.render({ stripe_key: 'dev' }, { environment: 'prod' }).value).toEqual({ k: 'dev' });
  });
  it('renders source text (JSON and YAML) the same as the object', async () => {
    const yaml = 'name: t\nheaders:\n  Authorization: "Bearer {{ secrets.api_key }}"\nport: 5432\n';
    const json = JSON.stringify({ name: 't', headers: { Authorization: 'Bearer {{ secrets.api_key }}' }, port: 5432 });
    const want = { name: 't', headers: { Authorization: 'Bearer sk_live_123' }, port: 5432 };
    expect(compile(yaml).render(S).value).toEqual(want);
    expect(compile(json).render(S).value).toEqual(want);
    expect((await render(yaml, { secrets: S })).value).toEqual(want);
  });
  it('renders a definition without references without any secrets', async () => {
    expect((await render({ a: [1, 'x', null] })).value).toEqual({ a: [1, 'x', null] });
  });
  it('preserves types, key order, arrays and nulls', () => {
    const def = { z: 1, a: [true, null, { b: '$secrets.user', c: 2.5 }], m: { n: {} }, s: 'plain {{ name }}' };
    const out = compile(def).render(S).value;
    expect(out).toEqual({ z: 1, a: [true, null, { b: 'alice', c: 2.5 }], m: { n: {} }, s: 'plain {{ name }}' });
    expect(Object.keys(out as object)).toEqual(['z', 'a', 'm', 's']);
  });
  it('percent-encodes references in URL userinfo unless urlencode or raw says otherwise', () => {
    const secrets = { u: 'me@corp', p: 'p@ss/w:rd?#%' };
    expect(one('postgresql://$secrets.u:${secrets.p}@db:5432/app', secrets)).toBe('postgresql://me%40corp:p%40ss%2Fw%3Ard%3F%23%25@db:5432/app');
    expect(one('postgresql://{{ secrets.u }}:{{ secrets.p }}@db/app', secrets)).toBe('postgresql://me%40corp:p%40ss%2Fw%3Ard%3F%23%25@db/app');
    expect(one('postgresql://{{ secrets.u | raw }}:{{ secrets.p | urlencode }}@db/app', secrets)).toBe('postgresql://me@corp:p%40ss%2Fw%3Ard%3F%23%25@db/app');
    // Outside the userinfo, nothing is encoded.
    expect(one('https://h/?p={{ secrets.p }}', secrets)).toBe('https://h/?p=p@ss/w:rd?#%');
  });
});

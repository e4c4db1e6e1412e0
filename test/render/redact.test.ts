import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/render/index.js';

const KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

function redactorFor(secrets: Record<string, string>, def: object = Object.fromEntries(Object.keys(secrets).map((k) => [k, `$secrets.${k}`]))): (t: string) => string {
  return compile(def).render(secrets).redact;
}

describe('redact', () => {
  it('masks a value raw, JSON-escaped, percent-encoded and base64', () => {
    const v = 'p@ss "w/o" rd\\x';
    const redact = redactorFor({ db_password: v });
    for (const shown of [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v), Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url')]) {
      expect(redact(`before ${shown} after`)).toBe('before [REDACTED:db_password] after');
    }
  });
  it('masks each line of a multi-line value, and the whole value', () => {
    const pem = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END KEY-----';
    const redact = redactorFor({ tls_key: pem });
    expect(redact(`key: ${pem}`)).toBe('key: [REDACTED:tls_key]');
    expect(redact('log: MIIBOgIBAAJBAKj34GkxFhD9 seen')).toBe('log: [REDACTED:tls_key] seen');
    expect(redact(JSON.stringify({ k: pem }))).toBe('{"k":"[REDACTED:tls_key]"}');
  });
  it('masks a value inside a larger base64 blob (Basic auth) at any alignment', () => {
    const redact = redactorFor({ pass: 'correct-horse-battery' });
    for (const user of ['a', 'ab', 'abc']) {
      const header = Buffer.from(`${user}:correct-horse-battery`).toString('base64');
      expect(redact(header)).toContain('[REDACTED:pass]');
    }
  });
  it('masks outputs computed from secrets (filters, joins)', () => {
    const c = compile({ auth: 'Basic {{ (secrets.user + ":" + secrets.pw) | b64encode }}', up: '{{ secrets.pw | upper }}' });
    const r = c.render({ user: 'bob', pw: 'hunter22' });
    const text = JSON.stringify(r.value);
    expect(r.redact(text)).not.toContain((r.value as { auth: string }).auth.slice(6));
    expect(r.redact(text)).not.toContain('HUNTER22');
    expect(r.redact(text)).toContain('[REDACTED:user]');
  });
  it('masks the longest match first', () => {
    const redact = redactorFor({ short: 'abcd', long: 'abcdefgh' });
    expect(redact('abcdefgh abcd')).toBe('[REDACTED:long] [REDACTED:short]');
  });
  it('does not mask values under 4 characters in isolation', () => {
    const redact = redactorFor({ tiny: 'abc', ok: 'abcd' });
    expect(redact('abc abcd')).toBe('abc [REDACTED:ok]');
  });
  it('masks only values that the render used', () => {
    const redact = compile({ a: '$secrets.used' }).render({ used: 'first-value', unused: 'other-value' }).redact;
    expect(redact('first-value other-value')).toBe('[REDACTED:used] other-value');
  });
  it('masks the rendered document of any value (property)', () => {
    const c = compile({ url: 'postgresql://app:${secrets.pw}@db/app', h: 'Bearer {{ secrets.pw }}', j: '{{ secrets.pw | json }}' });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 4, maxLength: 60 }), (pw) => {
        fc.pre(pw.trim().length >= 4 && !'postgresql://app:@db/app Bearer [REDACTED:pw] {"url":,"h","j"}'.includes(pw));
        const r = c.render({ pw });
        const redacted = r.redact(JSON.stringify(r.value, null, 2));
        expect(redacted.includes(pw)).toBe(false);
        expect(redacted.includes(JSON.stringify(pw).slice(1, -1))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
  it('leaves text without values unchanged', () => {
    expect(redactorFor({ k: KEY })('nothing to see')).toBe('nothing to see');
  });
});

/**
 * Regression (issue 14, new-user review): `render --redact` masks every string and then the
 * serialised text, so a value that occurs inside a secret's name was masked a second time inside
 * its own marker: `charge-[REDACTED:[REDACTED:idem_prefix]_prefix]`. Redaction is now idempotent
 * and leaves its own markers alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compile } from '../../src/render/index.js';

/** What `render --redact` does: mask every string, serialise, mask the serialised text. */
function cliRedact(value: unknown, redact: (t: string) => string, format: 'json' | 'yaml'): string {
  const strings = (v: unknown): unknown =>
    typeof v === 'string' ? redact(v) : Array.isArray(v) ? v.map(strings) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strings(x)])) : v;
  const masked = strings(value);
  return redact(format === 'yaml' ? stringify(masked) : `${JSON.stringify(masked, null, 2)}\n`);
}

describe('redact twice (regression: a value inside a secret name was masked inside its own marker)', () => {
  it('masks `charge-idem` once, in a string and through the CLI path', () => {
    const r = compile({ name: 'charge', key: 'charge-$secrets.idem_prefix' }).render({ idem_prefix: 'idem' });
    expect(r.redact('charge-idem')).toBe('charge-[REDACTED:idem_prefix]');
    expect(r.redact(r.redact('charge-idem'))).toBe('charge-[REDACTED:idem_prefix]');
    for (const format of ['json', 'yaml'] as const) {
      const out = cliRedact(r.value, r.redact, format);
      expect(out).toContain('charge-[REDACTED:idem_prefix]');
      expect(out).not.toContain('[REDACTED:[REDACTED');
    }
  });

  it('leaves markers already in the text as they are', () => {
    const redact = compile({ a: '$secrets.ACTED', b: '$secrets.redacted_pw' }).render({ ACTED: 'ACTED', redacted_pw: 'cted_pw]' }).redact;
    for (const t of ['[REDACTED:ACTED]', '[REDACTED:redacted_pw]', 'x [REDACTED:ACTED][REDACTED:redacted_pw] y']) expect(redact(t)).toBe(t);
    expect(redact('ACTED cted_pw]')).toBe('[REDACTED:ACTED] [REDACTED:redacted_pw]');
  });

  it('is idempotent for any values and text (property)', () => {
    const names = ['idem_prefix', 'pw', 'REDACTED', 'api_key'];
    const piece = (values: string[]) =>
      fc.oneof(
        fc.constantFrom(...values),
        fc.constantFrom(...values).map((v) => JSON.stringify(v)),
        fc.constantFrom(...values).map((v) => encodeURIComponent(v)),
        fc.constantFrom(...values).map((v) => Buffer.from(v).toString('base64')),
        fc.constantFrom(...names).map((n) => `[REDACTED:${n}]`),
        fc.constantFrom('[', ']', '\\', '%', '%4', '\\u00', '\n  ', ':', 'REDACTED', 'idem', '_prefix'),
        fc.string({ maxLength: 6 }),
      );
    const value = fc.oneof(fc.string({ minLength: 4, maxLength: 12 }), fc.constantFrom('idem', 'REDACTED', 'ACTED:pw]', ']tail', 'head[RED', 'D:pw]x', 'x\\u0041y', '100%41', 'a[b]c'));
    const input = fc.array(value, { minLength: 1, maxLength: 4 }).chain((values) => fc.tuple(fc.constant(values), fc.array(piece(values), { maxLength: 12 })));
    fc.assert(
      fc.property(input, ([values, parts]) => {
        const secrets = Object.fromEntries(values.map((v, i) => [names[i] as string, v]));
        const r = compile(Object.fromEntries(Object.keys(secrets).map((k) => [k, `$secrets.${k}`]))).render(secrets);
        const once = r.redact(parts.join(''));
        expect(r.redact(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * Regression (issue 14 #2): with one used value of about 24,600 characters or more, `redact()`
 * built one regular expression out of every variant of every value, V8 refused it as too large, and
 * the SyntaxError it threw quoted the whole pattern — every value, raw and base64. README's own
 * `log(redact(String(e)))` then handed the values to the next handler. Redaction now never throws,
 * whatever it is given, and nothing it does puts a value in an error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { compile } from '../../src/render/index.js';

function redactorFor(secrets: Record<string, string>): (t: string) => string {
  return compile(Object.fromEntries(Object.keys(secrets).map((k) => [k, `$secrets.${k}`]))).render(secrets).redact;
}

/** A deterministic value of `n` printable ASCII characters, different for each `seed`. */
function bigValue(n: number, seed: number): string {
  const bytes = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = 33 + ((x >>> 16) % 94);
  }
  return Buffer.from(bytes).toString('latin1');
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('redact with a huge value (regression: a too-large RegExp threw with every value in its message)', () => {
  it('masks a value of 30,000 characters instead of throwing', () => {
    const v = bigValue(30_000, 1);
    const redact = redactorFor({ big: v });
    expect(redact(`before ${v} after`)).toBe('before [REDACTED:big] after');
  });

  it('masks a value of the largest size the store accepts, raw, JSON-escaped and base64', () => {
    const v = bigValue(LIMITS.maxSecretValueBytes, 2);
    const redact = redactorFor({ big: v });
    expect(redact(`a ${v} b`)).toBe('a [REDACTED:big] b');
    expect(redact(JSON.stringify({ k: v }))).toBe('{"k":"[REDACTED:big]"}');
    expect(redact(`a ${b64(v)} b`)).toBe('a [REDACTED:big] b');
    expect(redact(`Basic ${b64(`user:${v}`)}`)).toContain('[REDACTED:big]');
    expect(redact('nothing to see')).toBe('nothing to see');
  });

  it('masks with hundreds of values of 64 KiB each', () => {
    const secrets: Record<string, string> = {};
    for (let i = 0; i < 200; i++) secrets[`v${i}`] = bigValue(LIMITS.maxSecretValueBytes, 100 + i);
    const redact = redactorFor(secrets);
    const text = `x ${secrets.v0} y ${b64(secrets.v123 as string)} z ${secrets.v199} .`;
    expect(redact(text)).toBe('x [REDACTED:v0] y [REDACTED:v123] z [REDACTED:v199] .');
  });

  it('never throws and never echoes a value, whatever it is given', () => {
    const v = bigValue(30_000, 3);
    const redact = redactorFor({ big: v, small: 'hunter22-secret' }) as (t: unknown) => unknown;
    const throwing = {
      toString(): string {
        throw new Error(`cannot print ${v}`);
      },
    };
    const inputs: unknown[] = [undefined, null, 42, {}, Object.create(null), Symbol('s'), throwing, new Error(`failed with ${v} and hunter22-secret`), [v], '', '\ud800', v];
    for (const input of inputs) {
      let out: unknown;
      expect(() => {
        out = redact(input);
      }).not.toThrow();
      expect(typeof out).toBe('string');
      expect(out as string).not.toContain(v.slice(0, 40));
      expect(out as string).not.toContain('hunter22-secret');
    }
  });

  it('never throws on lone surrogates in values or text (property)', () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const units = (max: number) => fc.string({ unit: fc.oneof(unit, fc.constantFrom('\ud800', '\udfff', '\\', '%', '\n', '[', ']')), maxLength: max });
    fc.assert(
      fc.property(fc.array(units(40), { minLength: 1, maxLength: 5 }), units(200), (values, noise) => {
        const secrets = Object.fromEntries(values.map((v, i) => [`s${i}`, v]));
        const redact = redactorFor(secrets);
        const text = values.map((v) => `${noise}${v}${JSON.stringify(v)}`).join('');
        const out = redact(text);
        expect(typeof out).toBe('string');
        expect(redact(out)).toBe(out);
      }),
      { numRuns: 300 },
    );
  });
});

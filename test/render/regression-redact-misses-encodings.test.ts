/**
 * Regression (issue 14 #5): redaction missed encodings that it promised or that logs commonly use —
 * form encoding (`!'()*~` percent-encoded), lower-case `%xx`, JSON `\uXXXX` escapes (Python's
 * `json.dumps` default), a JSON-escaped value embedded in JSON again, base64 wrapped at 64 or 76
 * columns, base64url. One property per encoding, over arbitrary values: the encoded value embedded
 * in surrounding text is masked whole, and the surrounding text survives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/render/index.js';

const BEFORE = 'log: before ⟦';
const AFTER = '⟧ after.';

function redactorFor(pw: string): (t: string) => string {
  return compile({ a: '$secrets.pw' }).render({ pw }).redact;
}

/** Values a render masks: at least 4 characters once line breaks are set aside, none at either end. */
function maskable(v: string): boolean {
  return v.replace(/[\r\n][\r\n\t ]*/g, '').length >= 4 && !/^[\r\n]|[\r\n][\t\n\r ]*$/.test(v) && !/[⟦⟧]/.test(v) && !v.split(/\r\n|\r|\n/).some((l) => l.trim().length >= 4 && (BEFORE + AFTER).includes(l.trim()));
}

/** `encoded` (a form of `v`) inside other text comes out as exactly the mask, the rest untouched. */
function expectMasked(v: string, encoded: string): void {
  expect(redactorFor(v)(`${BEFORE}${encoded}${AFTER}`)).toBe(`${BEFORE}[REDACTED:pw]${AFTER}`);
}

/** Characters that encoders treat differently, mixed with any code point. */
const SPECIAL = fc.constantFrom(...'!\'()*~ +%&=?/\\"\n\t<>-_.');
const char = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), SPECIAL);
/** Any well-formed value. */
const anyValue = fc.array(char, { minLength: 4, maxLength: 40, size: 'medium' }).map((cs) => cs.join('')).filter(maskable);
/** Any sequence of UTF-16 code units, lone surrogates included. */
const codeUnits = fc
  .array(fc.oneof(char, fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))), { minLength: 4, maxLength: 40, size: 'medium' })
  .map((cs) => cs.join(''))
  .filter(maskable);
const RUNS = { numRuns: 200 };

const hex = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
/** RFC 3986 strict / form encoding: encodeURIComponent plus !'()*~, spaces as `+`. */
const formEncode = (v: string): string => encodeURIComponent(v).replace(/[!'()*~]/g, hex).replace(/%20/g, '+');
/** What the WHATWG URLSearchParams serialiser writes for a value (`*` kept, `~` encoded, `+` for space). */
const searchParams = (v: string): string => new URLSearchParams({ k: v }).toString().slice(2);
/** Python's `json.dumps(v)` body: ASCII only, every other code unit as lower-case `\uXXXX`. */
function pythonJson(v: string, upper = false): string {
  let out = '';
  for (const ch of v) {
    for (let i = 0; i < ch.length; i++) {
      const c = ch.charCodeAt(i);
      const named: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };
      if (named[c] !== undefined) out += named[c];
      else if (c < 0x20 || c > 0x7e) {
        const h = c.toString(16).padStart(4, '0');
        out += `\\u${upper ? h.toUpperCase() : h}`;
      } else out += String.fromCharCode(c);
    }
  }
  return out;
}
const jsonBody = (v: string): string => JSON.stringify(v).slice(1, -1);
const b64 = (v: string): string => Buffer.from(v, 'utf8').toString('base64');
const wrap = (s: string, width: number, eol: string): string => s.match(new RegExp(`.{1,${width}}`, 'gs'))?.join(eol) ?? s;

describe('redact masks the encodings logs use (regression: each was missed)', () => {
  it('form encoding: !\'()*~ percent-encoded, spaces as + (Summer2024! → Summer2024%21)', () => {
    expectMasked('Summer2024!', 'Summer2024%21');
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, formEncode(v))), RUNS);
  });

  it('URLSearchParams and Python quote_plus style (any subset of reserved characters encoded)', () => {
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, searchParams(v))), RUNS);
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, encodeURIComponent(v).replace(/[!'()*]/g, hex).replace(/%20/g, '+'))), RUNS);
  });

  it('lower-case %xx', () => {
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (s) => s.toLowerCase()))), RUNS);
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, formEncode(v).replace(/%[0-9A-F]{2}/g, (s) => s.toLowerCase()))), RUNS);
  });

  it("JSON \\uXXXX escapes: Python's json.dumps default (surrogate pairs for astral characters), either case", () => {
    expectMasked('café€😀 pw', 'caf\\u00e9\\u20ac\\ud83d\\ude00 pw');
    fc.assert(fc.property(codeUnits, (v) => expectMasked(v, pythonJson(v))), RUNS);
    fc.assert(fc.property(codeUnits, (v) => expectMasked(v, pythonJson(v, true))), RUNS);
  });

  it('a JSON-escaped value embedded in JSON again (double escaping)', () => {
    fc.assert(fc.property(codeUnits, (v) => expectMasked(v, jsonBody(jsonBody(v)))), RUNS);
    fc.assert(fc.property(codeUnits, (v) => expectMasked(v, jsonBody(pythonJson(v)))), RUNS);
    fc.assert(
      fc.property(codeUnits, (v) => {
        const inner = JSON.stringify({ password: v });
        const outer = JSON.stringify({ level: 'error', body: inner });
        expect(redactorFor(v)(outer)).toBe(JSON.stringify({ level: 'error', body: JSON.stringify({ password: '[REDACTED:pw]' }) }));
      }),
      RUNS,
    );
  });

  it('base64 wrapped at 64 or 76 columns, LF or CRLF (PEM, MIME)', () => {
    const long = fc.array(char, { minLength: 58, maxLength: 300, size: 'max' }).map((cs) => cs.join('')).filter(maskable);
    for (const [width, eol] of [[64, '\n'], [64, '\r\n'], [76, '\r\n'], [76, '\n']] as const) {
      fc.assert(
        fc.property(long, (v) => {
          const pem = `-----BEGIN DATA-----${eol}${wrap(b64(v), width, eol)}${eol}-----END DATA-----`;
          expect(redactorFor(v)(pem)).toBe(`-----BEGIN DATA-----${eol}[REDACTED:pw]${eol}-----END DATA-----`);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('base64 wrapped and indented in YAML, and a 64 KiB value wrapped as MIME', () => {
    const v = 'x'.repeat(10) + Array.from({ length: 64 * 1024 - 10 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join('');
    const mime = wrap(b64(v), 76, '\r\n');
    expect(redactorFor(v)(`Content-Transfer-Encoding: base64\r\n\r\n${mime}\r\n--boundary--`)).toBe('Content-Transfer-Encoding: base64\r\n\r\n[REDACTED:pw]\r\n--boundary--');
    const pw = 'correct horse battery staple, but longer than one base64 line of sixty-four';
    const yaml = `cert: |\n    ${wrap(b64(pw), 64, '\n    ')}\nnext: 1`;
    expect(redactorFor(pw)(yaml)).toBe('cert: |\n    [REDACTED:pw]\nnext: 1');
  });

  it('base64url, padded or not', () => {
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, Buffer.from(v, 'utf8').toString('base64url'))), RUNS);
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, b64(v).replace(/\+/g, '-').replace(/\//g, '_'))), RUNS);
  });

  it('raw, JSON.stringify and encodeURIComponent, as before', () => {
    fc.assert(fc.property(codeUnits, (v) => expectMasked(v, v)), RUNS);
    fc.assert(fc.property(codeUnits, (v) => expectMasked(v, jsonBody(v))), RUNS);
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, encodeURIComponent(v))), RUNS);
    fc.assert(fc.property(anyValue, (v) => expectMasked(v, b64(v))), RUNS);
  });
});

describe('redact through an escaped line break', () => {
  it('masks a value split by an escaped line break and deep indentation (\\n, %0A)', () => {
    const pw = 'abcdefgh-ijklmnop';
    const redact = redactorFor(pw);
    const indent = ' '.repeat(200);
    expect(redact(`{"k":"abcdefgh\\n${indent}-ijklmnop"} tail`)).toBe('{"k":"[REDACTED:pw]"} tail');
    expect(redact(`q=abcdefgh%0A${'%20'.repeat(200)}-ijklmnop&x`)).toBe('q=[REDACTED:pw]&x');
  });
});

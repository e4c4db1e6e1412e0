/**
 * The renderer's redaction over a stream (`secretref run`): however the text is cut into chunks —
 * inside a value, inside a multi-byte character — no used value leaves unmasked, and the output
 * is what redacting the whole text at once gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { render } from '../../src/index.js';
import { LineMasker } from '../../src/cli/mask-lines.js';

async function redactorFor(values: Record<string, string>): Promise<(t: string) => string> {
  const src = Object.keys(values).map((k) => `${k.toUpperCase()}=$secrets.${k}`).join('\n');
  return (await render(src, { format: 'dotenv', secrets: values })).redact;
}

function masked(redact: (t: string) => string, chunks: (string | Buffer)[], holdLines = 0): string {
  let out = '';
  const m = new LineMasker(redact, (t) => (out += t), { holdLines, idleMs: 60_000 });
  for (const c of chunks) m.push(c);
  m.end();
  return out;
}

/** `text` cut at the given fractions of its length. */
function cut(text: string | Buffer, at: number[]): (string | Buffer)[] {
  const points = [...new Set(at.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  const out: (string | Buffer)[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
}

describe('LineMasker', () => {
  it('masks a value cut across chunks, and across bytes of a multi-byte character', async () => {
    const redact = await redactorFor({ token: 'tok-€-12345' });
    const bytes = Buffer.from('start\nthe token is tok-€-12345 ok\nend\n');
    const split = bytes.indexOf(Buffer.from('€')) + 1; // inside the euro sign's three bytes
    const out = masked(redact, [bytes.subarray(0, split), bytes.subarray(split)]);
    expect(out).toBe('start\nthe token is [REDACTED:token] ok\nend\n');
  });

  it('any chunking gives the whole-text redaction and never a value', async () => {
    const values = { a: 'alpha-secret', b: 'b3ta value', c: 'x"y\\z' };
    const redact = await redactorFor(values);
    const line = fc.array(fc.constantFrom('alpha-secret', 'b3ta value', 'x"y\\z', 'plain ', 'alpha', '\n', 'b3ta', ' '), { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(line, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), (text, at) => {
        const out = masked(redact, cut(text, at));
        for (const v of Object.values(values)) expect(out).not.toContain(v);
        expect(out).toBe(redact(text));
      }),
      { numRuns: 400 },
    );
  });

  it('holds lines back so that a value spanning lines is masked whole', async () => {
    const pem = '-----BEGIN KEY-----\nMIIBVQIBADANBg\n-----END KEY-----';
    const redact = await redactorFor({ pem });
    const text = `before\n${pem}\nafter\n`;
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), (at) => {
        const out = masked(redact, cut(text, at), 2);
        expect(out).not.toContain('MIIBVQIBADANBg');
        expect(out).toContain('[REDACTED:pem]');
      }),
      { numRuns: 200 },
    );
  });

  it('writes complete lines as they come, and a partial line when the stream is quiet', async () => {
    const redact = await redactorFor({ k: 'key-value-1' });
    let out = '';
    const m = new LineMasker(redact, (t) => (out += t), { idleMs: 20 });
    m.push('one key-value-1\ntwo');
    expect(out).toBe('one [REDACTED:k]\n');
    await new Promise((r) => setTimeout(r, 80));
    expect(out).toBe('one [REDACTED:k]\ntwo');
    m.end();
  });
});

/**
 * Properties of the Julep dialect, judged by the Python oracle (fast-check):
 * - for generated strings of every form, mixing references with runtime names, and arbitrary
 *   hostile values: Julep's evaluation of the render, with *other* (canary) secrets, equals its
 *   evaluation of the original with the values; no canary ever shows; every reference is found;
 * - a string that does not mention `secrets` scans to null; one without splices renders to itself;
 * - scanning and splicing are total: a scan or a catalogued SecretrefError without a value in it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, SecretrefError } from '../../src/errors.js';
import { scanJulep, spliceJulep, spliceJulepDetailed } from '../../src/syntax/julep/index.js';
import { budget, scale } from '../helpers/stress.js';
import { JulepOracle } from '../oracle/julep-oracle.js';
import { CANARY, CONTEXT } from './judge.js';

let oracle: JulepOracle;
beforeAll(async () => {
  oracle = await JulepOracle.start();
});
afterAll(async () => {
  await oracle.close();
});

const NAMES = ['a', 'b', 'api_key', 'Tok2'] as const;

/** A piece of generated source and the secret names its references use. */
interface Gen {
  src: string;
  names: string[];
}
const join = (parts: Gen[], sep = ''): Gen => ({ src: parts.map((p) => p.src).join(sep), names: parts.flatMap((p) => p.names) });
const lit = (src: string): Gen => ({ src, names: [] });
const name = fc.constantFrom(...NAMES);

/** A reference as Python source; `q` is the quote its string literals may use. */
const ref = (q: "'" | '"'): fc.Arbitrary<Gen> =>
  fc.tuple(name, fc.nat(4)).map(([n, k]) => ({
    src: [`secrets.${n}`, `secrets[${q}${n}${q}]`, `secrets.get(${q}${n}${q})`, `secrets.get(${q}${n}${q}, ${q}dflt${q})`, `secrets.get(${q}${n}${q}, _.topic)`][k] as string,
    names: [n],
  }));

/** A reference in expression position, always a string (so it concatenates). */
const exprRef: fc.Arbitrary<Gen> = fc.tuple(ref("'"), fc.nat(3)).map(([r, k]) => {
  const wrap = [(s: string) => `str(${s})`, (s: string) => `(${s} or 'empty')`, (s: string) => `str(${s}).upper()`, (s: string) => `str(${s})[0:4]`][k] as (s: string) => string;
  return { src: wrap(r.src), names: r.names };
});

const runtime = fc.constantFrom('_.topic', 'inputs[0].q', "steps[0].input['from']", 'str(len(_.items))', 'agent.name', 'state.k', 'NEWLINE').map(lit);
const pyString = fc.constantFrom("'lit'", '"q{u}o"', "'''tri'''", "''", "'\\\\n'").map(lit);

/** Text of an f-string (inside a `$ ` expression) with quote `fq`: no quote, no lone brace. */
const fText = (fq: string): fc.Arbitrary<Gen> =>
  fc
    .array(fc.constantFrom('a', ' ', '$', '[', ']', '_', 'é🔑', '#', ':', '{{', '}}', '\\n', '\\\\', 'x.y', fq[0] === '"' ? "it's" : 'say "hi"', ...(fq.length === 3 ? ['\n'] : [])), { maxLength: 4 })
    .map((a) => lit(a.join('')));

/** A field of an f-string with quote `fq`. */
const fField = (fq: string): fc.Arbitrary<Gen> => {
  const q = fq[0] === "'" ? '"' : "'";
  const withRef = fc.tuple(ref(q), fc.nat(6)).map(([r, k]) => {
    const body = [`{${r.src}}`, `{${r.src}!r}`, `{str(${r.src}):>12}`, `{str(${r.src}).upper()}`, `{str(${r.src})[0:3]}`, `{len(str(${r.src}))}`, `\\{${r.src}}`][k] as string;
    return { src: body, names: r.names };
  });
  const other = fc.constantFrom('{_.topic}', '{inputs[0].q}', '{agent.id!r}', '{state.k:>5}').map(lit);
  // Python 3.11: a nested f-string needs a quote the outer one leaves free.
  const nested = fq === "'''" ? [ref("'").map((r) => ({ src: `{f"{${r.src}}"}`, names: r.names }))] : [];
  return fc.oneof(withRef, other, ...nested);
};

const fString: fc.Arbitrary<Gen> = fc.constantFrom("'", '"', "'''", '"""').chain((fq) =>
  fc.array(fc.oneof(fText(fq), fField(fq)), { minLength: 1, maxLength: 5 }).map((parts) => {
    const body = join(parts);
    return { src: `f${fq}${body.src}${fq}`, names: body.names };
  }),
);

/** `$ ` expressions: references, runtime names, literals and f-strings joined by `+`. */
const expressionForm: fc.Arbitrary<Gen> = fc
  .array(fc.oneof(exprRef, runtime, pyString, fString), { minLength: 1, maxLength: 4 })
  .map((terms) => {
    const e = join(terms, ' + ');
    return { src: `$ ${e.src}`, names: e.names };
  });

/** Text of a plain or `{{` string, as Julep wraps it in f'''…''': no lone brace, no `'''`, no trailing quote. */
const outerText = fc
  .array(fc.constantFrom('a', ' ', '  ', '$', '$5', '[', ']', '_', '_.', 'inputs', 's', 'é🔑', '#', ':', '"', "it's", '\\n', '\\\\', '\t', 'Bearer ', 's[0]', '\\1'), { maxLength: 4 })
  .map((a) => lit(a.join('')));

/** Any other string: an f-string to Julep. */
const fstringForm: fc.Arbitrary<Gen> = fc
  .array(
    fc.oneof(
      outerText,
      fc.tuple(ref("'"), fc.nat(5)).map(([r, k]) => ({
        src: [`{${r.src}}`, `{${r.src}!r}`, `{str(${r.src}).upper()}`, `{str(${r.src}):<9}`, `\\{${r.src}}`, `\${${r.src}}`][k] as string,
        names: r.names,
      })),
      fc.constantFrom('{_.topic}', '{inputs[0].q}', '}}').map(lit),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => join(parts));

/** Strings with `{{`: Julep rewrites them to f-strings. */
const templateForm: fc.Arbitrary<Gen> = fc
  .array(
    fc.oneof(
      outerText,
      fc.tuple(ref("'"), fc.nat(4)).map(([r, k]) => ({
        src: [`{{${r.src}}}`, `{{ ${r.src} }}`, `{{str(${r.src}).upper()}}`, `{{${r.src}!r}}`, `\\{{${r.src}}}`][k] as string,
        names: r.names,
      })),
      fc.constantFrom('{{ _.topic }}', '{{inputs[0].q}}', '{{{{', '}}}}').map(lit),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => join(parts));

/** Julep's implicit expressions (no `$ `). */
const implicitForm: fc.Arbitrary<Gen> = fc.tuple(exprRef, fc.nat(3)).map(([r, k]) => ({
  src: [`[${r.src}, _.topic]`, `_.topic + ${r.src}`, `inputs[0].q + ${r.src} + 'x'`, `[f'{${r.src}}']`][k] as string,
  names: r.names,
}));

const HOSTILE_PIECES = [
  '{', '}', '{{', '}}', "'", '"', "'''", '\\', '\n', '\r', '\t', '$ ', '$', '_', '_.', '[', ']', 'inputs[', 'input', 'outputs',
  's', ' ', '\u00a0', '\u2028', '\u0085', '\u0000', '\ud800', '\udc00', '%', '%c', '#', '!r', ':', '{secrets}', '{_.topic}', 'x', 'é', '😀', '0', '7', 'N',
];
const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 8 }).map((a) => a.join('')));
const values = fc.record(Object.fromEntries(NAMES.map((n) => [n, value])) as Record<(typeof NAMES)[number], fc.Arbitrary<string>>);
// Mostly every secret present (a required one absent makes Julep fail the input, judging nothing).
const absent = fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray<string>([...NAMES]) });

const canaries = Object.fromEntries(NAMES.map((n, i) => [n, `${CANARY}${i}`]));
const sorted = (a: string[]): string[] => [...a].sort();

interface Tally {
  runs: number;
  judged: number;
}

async function equivalence(g: Gen, vals: Record<string, string>, absentNames: string[], tally: Tally): Promise<void> {
  tally.runs++;
  const gone = new Set(absentNames);
  const present = Object.fromEntries(Object.entries(vals).filter(([n]) => !gone.has(n)));
  const input = await oracle.evaluate({ string: g.src, secrets: present, context: CONTEXT });
  if (!input.ok) return; // Julep cannot evaluate this input either (an absent required secret, a generated quirk)
  const scan = scanJulep(g.src);
  if (!scan) {
    expect(g.names, 'only a string without references scans to null').toEqual([]);
    return;
  }
  const found = sorted(scan.refs.map((r) => r.name));
  if (scan.implicit && g.src.includes('#')) {
    // A plain string that Julep's implicit rule makes Python: after a `#` it is a comment.
    for (const n of found) expect(g.names).toContain(n);
  } else {
    expect(found, 'every reference is found').toEqual(sorted(g.names));
  }
  const blocking = scan.findings.filter((f) => f.severity === 'error' || f.code === 'REFERENCE_DYNAMIC');
  expect(blocking, 'a string Julep evaluates has no blocking finding').toEqual([]);
  const { text: rendered, inserted } = spliceJulepDetailed(g.src, scan, (n) => present[n]);
  expect(rendered).toBe(spliceJulep(g.src, scan, (n) => present[n]));
  let at = 0;
  for (const piece of inserted) {
    const found = rendered.indexOf(piece.text, at);
    expect(found, `${piece.name}'s inserted text is in the output, in order`).toBeGreaterThanOrEqual(at);
    at = found + piece.text.length;
  }
  const output = await oracle.evaluate({ string: rendered, secrets: canaries, context: CONTEXT });
  expect(output, `rendered ${JSON.stringify(rendered)}`).toEqual(input);
  expect(JSON.stringify(output)).not.toContain(CANARY);
  const again = scanJulep(rendered);
  expect(again?.refs ?? [], 'a render holds no reference').toEqual([]);
  tally.judged++;
}

describe('Julep evaluation of the render equals Julep evaluation of the original (oracle)', () => {
  const forms: [string, fc.Arbitrary<Gen>, number][] = [
    ['`$ ` expressions', expressionForm, scale(200, 5000)],
    ['plain strings (f-strings)', fstringForm, scale(200, 5000)],
    ['`{{` strings', templateForm, scale(150, 4000)],
    ['implicit expressions', implicitForm, scale(60, 1000)],
  ];
  for (const [title, arb, numRuns] of forms) {
    it(title, { timeout: budget(30_000, 600_000) }, async () => {
      const tally: Tally = { runs: 0, judged: 0 };
      await fc.assert(
        fc.asyncProperty(arb.filter((g) => g.names.length > 0), values, absent, (g, v, a) => equivalence(g, v, a, tally)),
        { numRuns },
      );
      // The generators are meant to produce strings Julep evaluates: most runs must be judged.
      expect(tally.judged).toBeGreaterThan(tally.runs * 0.5);
    });
  }
});

/** Strings from the characters Julep's rules and Python care about, with and without `secrets`. */
const PIECES = ['$', '$ ', '{', '}', '{{', '}}', 'secrets', 'secrets.', 'secrets.get(', 'secrets[', "'", '"', "'''", '\\', '[', ']', '(', ')', '_', '_.', 'inputs[', 'x', 'a', '.', ',', ' ', '\n', '!r', ':', '=', 'f', 'f"', "f'", 'for', ' in ', 'lambda', '#', '%'];
const grammarish = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 30 }).map((a) => a.join(''));
const anyString = fc.oneof(grammarish, fc.string({ unit: 'binary', maxLength: 40 }));

describe('totality and identity', () => {
  it('a string that does not mention `secrets` scans to null', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        fc.pre(!/\bsecrets\b/.test(s));
        expect(scanJulep(s)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('scanJulep never throws, and every span lies inside the string', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const scan = scanJulep(s);
        if (!scan) return;
        for (const x of [...scan.refs, ...scan.splices, ...scan.findings]) expect(0 <= x.start && x.start <= x.end && x.end <= s.length).toBe(true);
        for (const f of scan.findings) expect(ERROR_CODES).toContain(f.code);
      }),
      { numRuns: 1000 },
    );
  });

  it('spliceJulep returns a string or throws a catalogued SecretrefError that holds no value', () => {
    fc.assert(
      fc.property(anyString, fc.boolean(), (s, some) => {
        const scan = scanJulep(s);
        if (!scan) return;
        const valueOf = (n: string): string | undefined => (some || n.length % 2 === 0 ? `${CANARY}{secrets}'\\` : undefined);
        try {
          expect(typeof spliceJulep(s, scan, valueOf)).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(SecretrefError);
          expect(ERROR_CODES).toContain((e as SecretrefError).code);
          expect(JSON.stringify((e as SecretrefError).toJSON())).not.toContain(CANARY);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a string without splices renders to itself, byte for byte', () => {
    let seen = 0;
    fc.assert(
      fc.property(anyString, (s) => {
        const scan = scanJulep(s);
        if (!scan || scan.splices.length > 0 || scan.findings.some((f) => f.severity === 'error' || f.code === 'REFERENCE_DYNAMIC')) return;
        seen++;
        expect(spliceJulep(s, scan, () => CANARY)).toBe(s);
      }),
      { numRuns: 1000 },
    );
    expect(seen).toBeGreaterThan(20);
  });
});

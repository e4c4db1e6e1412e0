/**
 * spliceJulep against the Python oracle: the oracle really applies Julep's rules; every fixture
 * string renders to Julep's own value for hostile values; the attacks of issue 13 are closed; the
 * refusals carry catalogued codes and no value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { scanJulep, spliceJulep, spliceJulepDetailed } from '../../src/syntax/julep/index.js';
import { JulepOracle } from '../oracle/julep-oracle.js';
import { CASES } from './cases.js';
import { CANARY, CONTEXT, judge } from './judge.js';

let oracle: JulepOracle;
beforeAll(async () => {
  oracle = await JulepOracle.start();
});
afterAll(async () => {
  await oracle.close();
});

const evalJulep = (string: string, secrets: Record<string, string> = {}) => oracle.evaluate({ string, secrets, context: CONTEXT });

/** Values that break naive substitution: braces, quotes, backslashes, Julep's own triggers. */
const HOSTILE = [
  '{secrets}',
  '{_.topic}',
  "'''",
  '"""',
  "'",
  '\\',
  'a\\nb',
  '\n\r\t',
  '$ 1 + 1',
  '$secrets.other',
  '{{secrets.other}}',
  '}}',
  '[1]',
  '_.topic',
  '_',
  'inputs[0]',
  'outputs',
  ' padded ',
  '\u00a0\u2028',
  '\u0000',
  '\ud800x\udfff',
  '😀 ünï',
  '%c%s%%',
  '#!:=',
  '',
  '0',
  '7x',
  '{"type": "service_account", "private_key": "-----BEGIN KEY-----\\nMII\\n-----END KEY-----\\n"}',
];

describe('the oracle applies Julep’s rules', () => {
  it('evaluates plain strings as f-strings, so a `{secrets}` prints every secret', async () => {
    expect(await evalJulep('Bearer {secrets.tok}', { tok: 'abc' })).toEqual({ ok: true, value: 'Bearer abc' });
    expect(await evalJulep('x{secrets}y', { a: '1' })).toEqual({ ok: true, value: "x{'a': '1'}y" });
  });

  it('leaves `$secrets.x` literal and evaluates `$ ` expressions with dict semantics', async () => {
    expect(await evalJulep('$secrets.x', { x: 'v' })).toEqual({ ok: true, value: '$secrets.x' });
    expect(await evalJulep("$ secrets.x + secrets['y'] + secrets.get('z', '!')", { x: 'a', y: 'b' })).toEqual({ ok: true, value: 'ab!' });
    expect(await evalJulep("$ secrets.get('z')", {})).toEqual({ ok: true, value: null });
    expect(await evalJulep('$ secrets.x', {})).toEqual({ ok: false, error: 'AttributeDoesNotExist' });
  });

  it('rewrites `{{` strings, strips, and knows the implicit expressions', async () => {
    expect(await evalJulep('{{secrets.x}} {{{{', { x: 'v' })).toEqual({ ok: true, value: 'v {' });
    expect(await evalJulep('  $ 1 + 1  ')).toEqual({ ok: true, value: { int: '2' } });
    expect(await evalJulep('  padded  ')).toEqual({ ok: true, value: 'padded' });
    expect(await evalJulep('[1, 2]')).toEqual({ ok: true, value: { list: [{ int: '1' }, { int: '2' }] } });
    expect(await evalJulep('see inputs[0].q')).toEqual({ ok: false, error: 'SyntaxError' });
    expect(await evalJulep('_.topic')).toEqual({ ok: true, value: "T{x}'''\\" });
  });

  it('ignores a conversion the way Debian’s simpleeval does, and fails a broken f-string', async () => {
    expect(await evalJulep('{secrets.x!r}', { x: 'v' })).toEqual({ ok: true, value: 'v' });
    expect(await evalJulep("it'''s")).toEqual({ ok: false, error: 'SyntaxError' });
  });
});

describe('spliceJulep: every fixture string renders to Julep’s value', () => {
  const renderable = CASES.filter((c) => {
    const scan = c.platform ? null : scanJulep(c.string);
    return scan && scan.splices.length > 0 && !scan.findings.some((f) => f.severity === 'error' || f.code === 'REFERENCE_DYNAMIC');
  });

  it('has enough renderable fixtures', () => {
    expect(renderable.length).toBeGreaterThan(20);
  });

  for (const c of renderable) {
    it(JSON.stringify(c.string), async () => {
      const names = [...new Set(scanJulep(c.string)?.refs.map((r) => r.name))];
      let evaluated = 0;
      for (let k = 0; k < HOSTILE.length; k++) {
        const values = Object.fromEntries(names.map((n, i) => [n, HOSTILE[(k + i) % HOSTILE.length] as string]));
        const j = await judge(oracle, c.string, values);
        if (j.input.ok) evaluated++;
        expect(j.output, `rendered ${JSON.stringify(j.rendered)} for ${JSON.stringify(values)}`).toEqual(j.input);
      }
      // A value may be no valid format spec (`{secrets.x:{secrets.w}}`); some must still evaluate.
      expect(evaluated).toBeGreaterThanOrEqual(3);
      const optional = new Set(scanJulep(c.string)?.refs.filter((r) => r.optional).map((r) => r.name));
      const required = names.filter((n) => !optional.has(n));
      if (optional.size > 0 && required.every((n) => !optional.has(n))) {
        const values = Object.fromEntries(names.map((n) => [n, '{secrets}']));
        const j = await judge(oracle, c.string, values, optional);
        expect(j.output, `absent ${[...optional].join(',')}: ${JSON.stringify(j.rendered)}`).toEqual(j.input);
      }
    });
  }
});

describe('spliceJulep: the attacks of issue 13 stay closed', () => {
  const cases: [string, string, string][] = [
    ['a value with braces does not print every secret', 'Bearer {secrets.tok}', 'x{secrets}y'],
    ['a value with `{{` does not make a plain string a template', 'Bearer {secrets.tok}', '{{secrets.other}}'],
    ['a value starting with `$ ` stays text', '{secrets.tok}', '$ secrets.other'],
    ['a value `$ …` after a literal `$` stays text', '${secrets.tok}', ' secrets.other'],
    ['a value `.x` after a literal `_` does not make `_.x`', '_{secrets.tok}', '.topic'],
    ['a value `[…]` does not make the string a list', '{secrets.tok}', '[secrets.other]'],
    ['a value ending in `input` before `s[` does not make `inputs[`', 'x {secrets.tok}s[0]', 'input'],
    ["a value with `'''` does not end Julep's f-string", 'Bearer {secrets.tok}', "''' + str(secrets) + '''"],
    ['a value ending with a backslash does not escape the closing quote', 'Bearer {secrets.tok}', 'C:\\'],
    ['a value after a literal backslash keeps the backslash text', 'C:\\{secrets.tok}', 'n'],
    ['a digit after an octal escape does not extend it', '\\1{secrets.tok}', '23'],
    ['surrounding whitespace of a value survives Julep’s strip', '{secrets.tok}', ' \t padded \n'],
    ['an empty value does not join `_` and `.topic`', '_{secrets.tok}.topic', ''],
    ['an empty value does not join an octal escape and a digit', '\\1{secrets.tok}2', ''],
    ['a template whose only `{{` was the reference stays a template', '{{secrets.tok}} }}}}', '}'],
    ['an implicit expression stays an expression', "[secrets.tok, _.topic]", ']'],
    ['a value inside a field with a format spec', "$ f'{secrets.tok!r:>40}'", "'\\\"{}\n"],
    ['a value inside a larger field expression', '{secrets.tok.upper()} {len(secrets.tok)}', '\\x{}#%c'],
    ['a value in a nested f-string field', "$ f'''{f\"{secrets.tok}\"}'''", "'\"\\"],
    ['lone surrogates and NUL', '{secrets.tok} and $ {secrets.tok}', '\ud800\u0000\udc00'],
  ];
  for (const [title, s, value] of cases) {
    it(title, async () => {
      const j = await judge(oracle, s, { tok: value, other: 'OTHER' });
      expect(j.input.ok).toBe(true);
      expect(j.output, `rendered ${JSON.stringify(j.rendered)}`).toEqual(j.input);
      expect(JSON.stringify(j.output)).not.toContain(CANARY);
    });
  }
});

describe('spliceJulep: what it leaves alone and what it refuses', () => {
  it('returns a string without splices as it is', () => {
    for (const s of ['$secrets.x', 'Bearer $ secrets.api_key', "$ 'secrets.x'", '$ dict(secrets=1)', '{{{{secrets.x}}}}']) {
      const scan = scanJulep(s);
      expect(scan?.splices).toEqual([]);
      expect(spliceJulep(s, scan as NonNullable<typeof scan>, () => 'v')).toBe(s);
    }
  });

  it('changes nothing outside the splices (but the documented `$ ` and `{{""}}` insertions)', () => {
    const s = '  x {secrets.a} y {_.topic} z  ';
    const scan = scanJulep(s);
    const out = spliceJulep(s, scan as NonNullable<typeof scan>, () => 'V');
    expect(out).toBe('  x V y {_.topic} z  ');
    expect(spliceJulep('[secrets.a]', scanJulep('[secrets.a]') as NonNullable<ReturnType<typeof scanJulep>>, () => 'V')).toBe("$ ['V']");
    expect(spliceJulep('{{secrets.a}}', scanJulep('{{secrets.a}}') as NonNullable<ReturnType<typeof scanJulep>>, () => 'V')).toBe('{{""}}\\x56');
  });

  it('spliceJulepDetailed tells the exact text each value became, in output order', () => {
    const detailed = (s: string, v: Record<string, string>) => spliceJulepDetailed(s, scanJulep(s) as NonNullable<ReturnType<typeof scanJulep>>, (n) => v[n]);
    expect(detailed('Bearer {secrets.tok}', { tok: "a'b " })).toEqual({ text: 'Bearer a\\x27b\\x20', inserted: [{ name: 'tok', text: 'a\\x27b\\x20' }] });
    expect(detailed('$ secrets.b + secrets.a', { a: 'A', b: '{B}' })).toEqual({
      text: "$ '\\x7bB\\x7d' + 'A'",
      inserted: [{ name: 'b', text: "'\\x7bB\\x7d'" }, { name: 'a', text: "'A'" }],
    });
    expect(detailed('{secrets.a.upper()}', { a: 'x\\' }).inserted).toEqual([{ name: 'a', text: '("x%c" % (92,))' }]);
    expect(detailed('{{secrets.a}}', { a: 'v' })).toEqual({ text: '{{""}}\\x76', inserted: [{ name: 'a', text: '\\x76' }] });
  });

  const refuse = (s: string, valueOf: (n: string) => string | undefined): SecretrefError => {
    const scan = scanJulep(s);
    if (!scan) throw new Error('expected a scan');
    try {
      spliceJulep(s, scan, valueOf);
    } catch (e) {
      expect(e).toBeInstanceOf(SecretrefError);
      return e as SecretrefError;
    }
    throw new Error('expected spliceJulep to refuse');
  };

  it('refuses a computed name (REFERENCE_DYNAMIC), a broken string (REFERENCE_SYNTAX), a bad name (INVALID_NAME)', () => {
    expect(refuse("$ f'{secrets[tenant_key + \"_api_key\"]}'", () => CANARY).code).toBe('REFERENCE_DYNAMIC');
    expect(refuse('x {secrets}', () => CANARY).code).toBe('REFERENCE_DYNAMIC');
    expect(refuse("it'''s {secrets.x}", () => CANARY).code).toBe('REFERENCE_SYNTAX');
    expect(refuse("$ secrets['my-key']", () => CANARY).code).toBe('INVALID_NAME');
    expect(refuse("$ f'{f\"{secrets.x}\"}'", () => CANARY).code).toBe('UNSAFE_EXPRESSION');
  });

  it('refuses a required secret without a value, naming it and never a value', () => {
    const e = refuse('{secrets.a} {secrets.b}', (n) => (n === 'a' ? CANARY : undefined));
    expect(e.code).toBe('SECRET_NOT_FOUND');
    expect(e.problems[0]?.name).toBe('b');
    expect(JSON.stringify(e.toJSON())).not.toContain(CANARY);
  });

  it('refuses a scan made for another string', () => {
    const scan = scanJulep('{secrets.a}');
    expect(() => spliceJulep('{nothing}!', scan as NonNullable<typeof scan>, () => CANARY)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

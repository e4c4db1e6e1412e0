/**
 * Environment files as definitions (issue 18, Build 1): the scanner's reading of dotenv quoting,
 * positions of references and problems, lint on .env sources, rendering with context encoding,
 * and the dotenv writer: whatever a value holds, it reads back as itself and sets no other variable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SecretrefError } from '../../src/errors.js';
import { formatDotenv, lint, render } from '../../src/index.js';
import { analyzeSource, formatDotenvValue, scanDotenv } from '../../src/syntax/index.js';
import { textAt } from './helpers.js';

const asEnv = { format: 'dotenv' as const, filename: '.env.tpl' };
const valuesOf = (source: string): Record<string, string> => Object.fromEntries(scanDotenv(source).entries.map((e) => [e.key, e.value]));

describe('scanDotenv: dotenv quoting', () => {
  it('reads comments, export, unquoted, single, double and backtick values', () => {
    const src = [
      '# a comment',
      '',
      'export A=plain value   # trailing comment',
      "B='single #not a comment \\n literal'",
      'C="double \\"q\\" \\\\ \\n \\t \\x"',
      'D=`back tick`',
      'E=',
      'F=a#b',
      "G='multi",
      "line'",
      '  H = spaced  ',
      'I=\'\'',
      'J=x\r',
    ].join('\n');
    const scan = scanDotenv(src);
    expect(scan.problems).toEqual([]);
    expect(valuesOf(src)).toEqual({
      A: 'plain value',
      B: 'single #not a comment \\n literal',
      C: 'double "q" \\ \n \t \\x',
      D: 'back tick',
      E: '',
      F: 'a#b',
      G: 'multi\nline',
      H: 'spaced',
      I: '',
      J: 'x',
    });
  });

  it('reports every malformed line with its position, in one pass', () => {
    const src = 'OK=1\n= no key\nNOEQUALS\nQ="x" junk\nU="never closed\n';
    const d = analyzeSource(src, asEnv);
    expect(d.problems.map((p) => [p.code, p.range?.start.line, p.range?.start.column])).toEqual([
      ['INVALID_INPUT', 2, 1],
      ['INVALID_INPUT', 3, 1],
      ['INVALID_INPUT', 4, 7],
      ['INVALID_INPUT', 5, 3],
    ]);
    expect(d.value).toBeUndefined();
  });

  it('is total: any text gives entries whose offsets lie in the source, or positioned INVALID_INPUT problems', () => {
    const piece = fc.constantFrom('A', 'B_1', '=', ' ', '\t', '#', "'", '"', '`', '\\', '\n', '\r\n', 'export ', '$secrets.x', '${secrets.y}', '{{ secrets.z }}', 'é');
    fc.assert(
      fc.property(fc.oneof(fc.array(piece, { maxLength: 30 }).map((a) => a.join('')), fc.string({ maxLength: 80 })), (src) => {
        const scan = scanDotenv(src);
        for (const e of scan.entries) {
          expect(src.slice(e.keyStart, e.keyEnd)).toBe(e.key);
          expect(e.map).toHaveLength(e.value.length + 1);
          for (const o of e.map) expect(o >= 0 && o <= src.length).toBe(true);
        }
        const d = analyzeSource(src, asEnv);
        for (const p of d.problems) expect(p.range === undefined || p.range.start.line >= 1).toBe(true);
        expect(d.problems.every((p) => (ERROR_CODES as readonly string[]).includes(p.code))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a key set twice, at the second key', () => {
    const d = analyzeSource('A=1\nA=2\n', asEnv);
    expect(d.problems.map((p) => [p.code, textAt('A=1\nA=2\n', p.range), p.range?.start.line])).toEqual([['INVALID_INPUT', 'A', 2]]);
  });
});

describe('environment files as definitions', () => {
  const src = 'DB_USER=app\nDB_PASSWORD=$secrets.db_password\nDSN="postgresql://app:${secrets.db_password}@db/app" # the app\nTOKEN=\'Bearer {{ secrets.api_token }}\'\n';

  it('finds every reference at its place in the file, with its path and URL context', () => {
    const d = analyzeSource(src, asEnv);
    expect(d.problems).toEqual([]);
    expect(d.references.map((r) => [r.name, r.path, r.context, textAt(src, r.range), r.range?.start.line])).toEqual([
      ['db_password', '/DB_PASSWORD', 'text', '$secrets.db_password', 2],
      ['db_password', '/DSN', 'userinfo', '${secrets.db_password}', 3],
      ['api_token', '/TOKEN', 'text', 'secrets.api_token', 4],
    ]);
  });

  it('positions references inside double-quoted values with escapes before them', () => {
    const s = 'X="a\\n\\"b $secrets.k"\n';
    const d = analyzeSource(s, asEnv);
    expect(d.references.map((r) => textAt(s, r.range))).toEqual(['$secrets.k']);
  });

  it('renders with the same context encoding as any definition: a password in userinfo is percent-encoded', async () => {
    const r = await render(src, { ...asEnv, secrets: { db_password: 'p@ss:w/rd', api_token: 't0k' } });
    expect(r.value).toEqual({ DB_USER: 'app', DB_PASSWORD: 'p@ss:w/rd', DSN: 'postgresql://app:p%40ss%3Aw%2Frd@db/app', TOKEN: 'Bearer t0k' });
    expect(r.redact(formatDotenv(r.value))).not.toContain('p@ss:w/rd');
  });

  it('inserts a value once: a value that looks like a reference is not read again (single pass)', async () => {
    const r = await render('A=$secrets.a\n', { ...asEnv, secrets: { a: '${secrets.b} {{ secrets.b }}' } });
    expect(r.value).toEqual({ A: '${secrets.b} {{ secrets.b }}' });
  });

  it('lint runs every rule on an environment file, with positions, and honours # secretref-ignore', async () => {
    const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    const s = `GITHUB_TOKEN=${token}\nX=$secrets.SomeName\nY=$secrets.OtherName # secretref-ignore NAME_STYLE\nZ={{ secrets[name] }}\n`;
    const ds = await lint(s, asEnv);
    const by = (code: string) => ds.filter((d) => d.code === code).map((d) => [d.range?.start.line, d.range?.start.column, d.suppression?.by ?? null]);
    expect(by('PASTED_CREDENTIAL')).toEqual([[1, 14, null]]);
    expect(by('NAME_STYLE')).toEqual([
      [2, 3, null],
      [3, 3, 'comment'],
    ]);
    expect(ds.some((d) => d.code === 'REFERENCE_DYNAMIC' && d.range?.start.line === 4)).toBe(true);
    expect(ds.every((d) => !d.message.includes(token))).toBe(true);
  });

  it('a YAML document is not read as dotenv, nor the reverse, unless asked', () => {
    // As YAML the line is one plain scalar, the document itself: no variable A.
    expect(analyzeSource('A=$secrets.x\n').references.map((r) => r.path)).toEqual(['']);
    expect(analyzeSource('A=$secrets.x\n', asEnv).references.map((r) => r.path)).toEqual(['/A']);
    expect(analyzeSource('A: $secrets.x\n', asEnv).problems.map((p) => p.code)).toEqual(['INVALID_INPUT']);
  });
});

describe('formatDotenv', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/);
  const hostile = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.array(fc.constantFrom("'", '"', '`', '\\', '\n', '\r', '\r\n', '#', ' ', '=', 'X=1', '$', '${x}', 'a'), { maxLength: 20 }).map((a) => a.join('')),
  );

  it('every value, however hostile, reads back as itself and sets no other variable', () => {
    fc.assert(
      fc.property(fc.dictionary(key, hostile, { maxKeys: 6 }), (vars) => {
        const text = formatDotenv(vars);
        const scan = scanDotenv(text);
        expect(scan.problems).toEqual([]);
        expect(scan.entries.map((e) => e.key)).toEqual(Object.keys(vars));
        expect(Object.fromEntries(scan.entries.map((e) => [e.key, e.value]))).toEqual(vars);
        expect(text.split('\n').filter(Boolean)).toHaveLength(Object.keys(vars).length);
      }),
      { numRuns: 500 },
    );
  });

  it('a rendered secret value cannot inject a variable into the dotenv output', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const r = await render('A=$secrets.v\nB=fixed\n', { ...asEnv, secrets: { v: value } });
        expect(valuesOf(formatDotenv(r.value))).toEqual({ A: value, B: 'fixed' });
      }),
      { numRuns: 300 },
    );
  });

  it('uses single quotes when they suffice, double quotes with escapes otherwise', () => {
    expect(formatDotenvValue('a b$c')).toBe("'a b$c'");
    expect(formatDotenvValue("it's\n")).toBe('"it\'s\\n"');
    expect(formatDotenvValue('a\\"b')).toBe('"a\\\\\\"b"');
  });

  it('refuses what is not a flat mapping of names to text, with the path', () => {
    for (const [v, path] of [
      [[1, 2], ''],
      [{ a: { b: 1 } }, '/a'],
      [{ 'bad key': 'x' }, '/bad key'],
    ] as const) {
      try {
        formatDotenv(v);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SecretrefError);
        expect((e as SecretrefError).code).toBe('INVALID_INPUT');
        expect((e as SecretrefError).path).toBe(path);
      }
    }
    expect(formatDotenv({ n: 1, t: true, z: null })).toBe("n='1'\nt='true'\nz=''\n");
  });
});

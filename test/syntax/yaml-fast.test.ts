/**
 * The block-YAML fast path must give exactly what the general YAML path gives — value, sites,
 * references, problems, warnings and every offset — for any text: where it cannot, it must give up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/syntax/document.js';
import { parseYamlFast } from '../../src/syntax/yaml-fast.js';
import type { Dialect } from '../../src/syntax/dialect.js';
import type { OffsetMap } from '../../src/syntax/scalar-offsets.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Everything analysis reports, offset maps evaluated at every index of their string. */
function view(source: string, dialect: Dialect, fastYaml: boolean) {
  const d = analyzeSource(source, { allOffsets: true, dialect, fastYaml });
  const at = (m: OffsetMap | undefined, length: number) => (m ? Array.from({ length: length + 1 }, (_, i) => m(i)) : undefined);
  const strings = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') strings.set(path, v);
    else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(d.value, '');
  return {
    value: d.value,
    references: d.references,
    problems: d.problems,
    warnings: d.warnings,
    sites: d.sites.map((s) => ({ path: s.path, keys: s.keys, value: s.value, offsets: at(s.offsets, s.value.length) })),
    offsets: [...(d.offsets ?? new Map<string, OffsetMap>())].map(([path, m]) => [path, at(m, strings.get(path)?.length ?? 0)]),
  };
}

function accepted(source: string): boolean {
  return parseYamlFast(source, { keys: [], string() {}, key() {} }, () => () => 0) !== undefined;
}

/** node's strict deep equality (vitest's toStrictEqual compares `constructor` properties, which a definition may have as a key). */
function expectAgreement(source: string, dialect: Dialect = 'secretref'): void {
  const fast = view(source, dialect, true);
  const general = view(source, dialect, false);
  if (!isDeepStrictEqual(fast, general)) expect({ source, fast }).toEqual({ source, fast: general });
  expect(isDeepStrictEqual(fast, general)).toBe(true);
}

function yamlFixtures(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(e.name)) out.push([path.slice(ROOT.length + 1), readFileSync(path, 'utf8')]);
      else if (e.name.endsWith('.json') && dir.endsWith('conformance')) {
        const c = JSON.parse(readFileSync(path, 'utf8')) as { input?: unknown };
        if (typeof c.input === 'string' && !/^\s*[[{]/.test(c.input)) out.push([path.slice(ROOT.length + 1), c.input]);
      }
    }
  };
  walk(join(ROOT, 'fixtures'));
  return out;
}

const TOOLS = readdirSync(join(ROOT, 'fixtures', 'tools'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => readFileSync(join(ROOT, 'fixtures', 'tools', f), 'utf8'));

/** Texts a scalar may hold: YAML's special words and numbers, indicators, references. */
const TEXT = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9 _./-]{0,10}[a-z0-9]$/), weight: 3 },
  fc.constantFrom(
    'true', 'False', 'null', '~', '', '0x1F', '0o17', '.inf', '-.Inf', '.NaN', '-.5', '1e3', '+12', '007', '12345678901234567890', '1.50', '-0', '-x', '--flag',
    '$secrets.api_key', 'Bearer {{ secrets.tok }}', "$ f'Bearer {secrets.k}'", 'https://x/{id}?a=[1]', 'a: b', 'a #b', 'a#b', 'x:', 'it\'s', 'say "hi"',
    'tab\there', 'back\\slash', 'line\nbreak', 'é ☃ 𝄞', '__proto__', 'a,b', '[x]', '{y}', '- z', '? q', '*ref', '&anc', '!tag', '%dir', '@at', '`tick`', '| pipe', '> gt',
  ),
  fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ':', '#', '-', '{', '}', '[', ']', ',', '"', "'", '\\', '$', '.', '~', '\n', '|', '>', '&', '*', '!', '?', 'é', '\t', '\r', '_'), maxLength: 12 }),
);

type Tree = string | number | boolean | null | Tree[] | { [k: string]: Tree };

const KEY = fc.oneof(TEXT, fc.constantFrom('name', 'url', 'headers', '$secrets.k', '{{ secrets.k }}', 'a b', 'x '));
const NODES = fc.letrec<{ node: Tree; seq: Tree[]; map: Record<string, Tree> }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, TEXT, fc.integer(), fc.boolean(), fc.constant(null), tie('seq'), tie('map')),
  seq: fc.array(tie('node'), { maxLength: 3 }),
  map: fc.dictionary(KEY, tie('node'), { maxKeys: 3 }),
}));
/** A definition: a mapping with at least one key (the top level is written in block style). */
const TREE: fc.Arbitrary<Tree> = fc.dictionary(KEY, NODES.node, { minKeys: 1, maxKeys: 4 });

/** Writes a tree as block YAML in random styles; the text need not be valid YAML (the paths must agree on anything). */
function emit(tree: Tree, picks: number[], indentStep: number): string {
  let k = 0;
  const pick = (n: number): number => (picks[k++ % picks.length] as number) % n;
  const scalar = (v: string | number | boolean | null, ind: number): string => {
    if (typeof v !== 'string') return String(v);
    switch (pick(6)) {
      case 0:
      case 1:
        return v;
      case 2:
        return `'${v.replace(/'/g, "''")}'`;
      case 3:
        return JSON.stringify(v);
      default: {
        const pad = ' '.repeat(ind + indentStep);
        const header = ['|', '|-', '>', '>-', '| # note', '|+'][pick(6)];
        return `${header}\n${v.split('\n').map((l) => (l === '' ? '' : pad + l)).join('\n')}`;
      }
    }
  };
  const flow = (t: Tree): string => {
    if (Array.isArray(t)) return `[${t.map(flow).join(', ')}]`;
    if (t !== null && typeof t === 'object') return `{ ${Object.entries(t).map(([key, v]) => `${key}: ${flow(v)}`).join(', ')} }`;
    return typeof t === 'string' ? [t, JSON.stringify(t)][pick(2)] as string : String(t);
  };
  const lines: string[] = [];
  const block = (t: Tree, ind: number, lead: string): void => {
    const pad = ' '.repeat(ind);
    const extra = (): void => {
      const e = pick(8);
      if (e === 0) lines.push('');
      if (e === 1) lines.push(`${' '.repeat(pick(4) * 2)}# comment: x`);
    };
    if (Array.isArray(t) || (t !== null && typeof t === 'object')) {
      const entries: [string | null, Tree][] = Array.isArray(t) ? t.map((v) => [null, v]) : Object.entries(t);
      if (entries.length === 0 || (ind > 0 && pick(7) === 0)) {
        lines.push(`${lead}${flow(t)}`);
        return;
      }
      let first = true;
      for (const [key, v] of entries) {
        extra();
        const head = `${first && lead ? lead : pad}${key === null ? '- ' : `${scalarKey(key)}:`}`;
        first = false;
        const complex = Array.isArray(v) || (v !== null && typeof v === 'object');
        if (key === null && complex && pick(2) === 0) block(v, ind + 2, head);
        else if (complex && !(pick(5) === 0)) {
          lines.push(head.trimEnd());
          const seqHere = Array.isArray(v) && key !== null && pick(2) === 0;
          block(v, seqHere ? ind : ind + indentStep, '');
        } else lines.push(`${head}${key === null ? '' : ' '}${complex ? flow(v) : scalar(v as string, ind)}${pick(9) === 0 ? ' # trailing' : ''}`);
      }
      return;
    }
    lines.push(`${lead}${scalar(t, ind)}`);
  };
  const scalarKey = (key: string): string => [key, JSON.stringify(key), `'${key.replace(/'/g, "''")}'`][pick(3)] as string;
  block(tree, 0, '');
  return lines.join('\n') + ['\n', '', '\n\n'][pick(3)];
}

describe('block-YAML fast path', () => {
  it.each(yamlFixtures())('agrees with the general path on %s', (_name, source) => {
    expectAgreement(source);
    expectAgreement(source, 'julep');
  });

  it('reads every example tool definition itself', () => {
    expect(TOOLS.length).toBeGreaterThan(5);
    for (const source of TOOLS) expect(accepted(source)).toBe(true);
  });

  it('agrees on generated documents in mixed styles, and reads most of them itself', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(TREE, fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), fc.constantFrom(2, 4), fc.constantFrom<Dialect>('secretref', 'julep'), (tree, picks, step, dialect) => {
        const source = emit(tree, picks, step);
        runs++;
        if (accepted(source)) fast++;
        expectAgreement(source, dialect);
      }),
      { numRuns: 600 },
    );
    // The generator writes some shapes the fast path leaves to yaml (|+, tabs, multi-line quotes):
    // most documents must still take it, or this test would compare the general path with itself.
    expect(fast / runs).toBeGreaterThan(0.3);
  });

  it('agrees on the example definitions with a character inserted, deleted or replaced anywhere', () => {
    const edits = fc.constantFrom(' ', '\n', '\\\n', ': ', ' #', '- ', ':', '#', '-', '"', "'", '{', '}', '[', ']', ',', '|', '>', '&', '*', '!', '?', '\t', '\\', 'x', '  ');
    fc.assert(
      fc.property(fc.nat(TOOLS.length - 1), fc.nat(100_000), fc.nat(2), edits, (which, where, op, ch) => {
        const src = TOOLS[which] as string;
        const at = where % (src.length + 1);
        const source = op === 0 ? src.slice(0, at) + ch + src.slice(at) : op === 1 ? src.slice(0, at) + src.slice(at + 1) : src.slice(0, at) + ch + src.slice(at + 1);
        expectAgreement(source);
      }),
      { numRuns: 1500 },
    );
  });

  it.each([
    ['a key spaced from its colon', 'name : x\nurl:  https://h/{id}  # c\n'],
    ['YAML words and numbers, resolved by the core schema', 'a: ~\nb: 0x1F\nc: .inf\nd: -1\ne: 1.50\nf: True\ng: null\nh: 007\n1: one\n~: empty\n'],
    ['a reference in a quoted key', '"{{ secrets.k }}": 1\nplain: $secrets.x\n'],
    ['a sequence at its key\'s indentation, compact mappings and nested dashes', 'tools:\n- name: a\n  headers: { X: "$secrets.t" }\n- - 1\n  - [2, "3"]\n-\n- b\nnext: c\n'],
    ['literal and folded blocks, blank lines and comments between', 'a: |\n  one\n\n   two $secrets.x\n# between\nb: >-\n  folded\n  text\n\n    more\n  end\nc: | # note\n  x\n'],
    ['escapes and doubled quotes', 'a: "tab\\tand \\u00e9 $secrets.k"\nb: \'it\'\'s {{ secrets.k }}\'\n'],
    ['__proto__ as a key', '__proto__: 1\nconstructor: { __proto__: 2 }\n'],
  ])('reads %s itself, as the general path does', (_name, source) => {
    expect(accepted(source)).toBe(true);
    expectAgreement(source);
  });

  it.each([
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a directive and document markers', '%YAML 1.2\n---\na: 1\n...\n'],
    ['a complex key', '? a\n: b\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a quoted scalar over two lines', 'a: "one\n  two"\n'],
    ['an escaped line break in a double-quoted scalar', 'a: "\\\n"\n'],
    ['a flow collection over two lines', 'a: [1,\n  2]\n'],
    ['a tab', 'a:\tb\n'],
    ['a carriage return', 'a: b\r\nc: d\r\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a key that collides once resolved', '1: a\n"1": b\n'],
    ['keep chomping', 'a: |+\n  x\n\n'],
    ['an indentation indicator', 'a: |2\n   x\n'],
    ['a flow key without a value', 'a: {b}\n'],
    ['a trailing comma', 'a: [1, 2,]\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
    ['a comment without a space', 'a: "x"#c\n'],
    ['a scalar document', 'just text\n'],
    ['an indented document', '  a: 1\n'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
  ])('leaves %s to the general path', (_name, source) => {
    expect(accepted(source)).toBe(false);
    expectAgreement(source);
  });
});

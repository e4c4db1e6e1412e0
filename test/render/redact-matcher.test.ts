/**
 * The matching machinery of `redact()` against a naive search: the Aho–Corasick automaton (short
 * needles in its trie, long ones by hash), and the probe search with its `startsWith` fast path,
 * must find the same matches — every occurrence, across line breaks and the indentation after
 * them — on texts built to repeat (the worst case for both).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANCHOR, AutomatonBuilder, withoutBreaks } from '../../src/render/redact-automaton.js';
import { Matcher } from '../../src/render/redact-matcher.js';

type Interval = [number, number];

/** The union of intervals, merged where they overlap. */
function union(xs: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [s, e] of [...xs].sort((a, b) => a[0] - b[0] || b[1] - a[1])) {
    const last = out[out.length - 1];
    if (last && s < last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Every occurrence of every needle in `text` read without its line breaks, mapped back. */
function naive(needles: readonly string[], text: string): Interval[] {
  const kept: number[] = [];
  let afterBreak = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n' || c === '\r') afterBreak = true;
    else if (afterBreak && (c === ' ' || c === '\t')) continue;
    else {
      afterBreak = false;
      kept.push(i);
    }
  }
  const flat = kept.map((i) => text[i]).join('');
  const out: Interval[] = [];
  for (const n of needles) {
    for (let p = flat.indexOf(n); p >= 0; p = flat.indexOf(n, p + 1)) out.push([kept[p] as number, (kept[p + n.length - 1] as number) + 1]);
  }
  return union(out);
}

function collect(run: (sink: { add(s: number, e: number, l: number): void }) => void): Interval[] {
  const got: Interval[] = [];
  run({ add: (s, e) => got.push([s, e]) });
  return union(got);
}

const alphabet = fc.constantFrom('a', 'b', 'a', 'b', 'c', '\n', ' ', '\n  ', 'é', '\ud83d\ude00');
const text = fc.array(alphabet, { maxLength: 400 }).map((xs) => xs.join(''));
const word = (min: number, max: number) =>
  fc
    .array(fc.constantFrom('a', 'b', 'c', 'é', '\ud83d\ude00'), { minLength: min, maxLength: max })
    .map((xs) => withoutBreaks(xs.join('')))
    .filter((w) => w.length >= 4);
/** Short needles, and long ones (past the trie's ANCHOR) that are periodic like the texts. */
const needles = fc.array(fc.oneof(word(4, 12), word(ANCHOR + 1, ANCHOR + 40), word(4, 6).map((w) => w.repeat(Math.ceil((ANCHOR + 10) / w.length)))), { minLength: 1, maxLength: 8 });

/** Needles, and a text made of them (whole, repeated, split by line breaks and indentation) and noise. */
const case_ = needles.chain((ns) =>
  fc.tuple(
    fc.constant(ns),
    fc
      .array(
        fc.oneof(
          text,
          fc.constantFrom(...ns),
          fc.tuple(fc.constantFrom(...ns), fc.nat(), fc.constantFrom('\n', '\r\n  ', '\n\t\n ')).map(([n, at, br]) => n.slice(0, at % n.length) + br + n.slice(at % n.length)),
          fc.tuple(fc.constantFrom(...ns), fc.integer({ min: 2, max: 4 })).map(([n, k]) => n.repeat(k)),
        ),
        { maxLength: 8 },
      )
      .map((xs) => xs.join('')),
  ),
);

describe('redaction matching', () => {
  it('the automaton finds every occurrence (property)', () => {
    fc.assert(
      fc.property(case_, ([ns, t]) => {
        const b = new AutomatonBuilder();
        ns.forEach((n, i) => b.add(n, i));
        const a = b.finish();
        expect(collect((sink) => a.scanAll(t, null, false, sink))).toEqual(naive(ns, t));
      }),
      { numRuns: 400 },
    );
  });

  it('the probe search and its fast path find the same (property)', () => {
    fc.assert(
      fc.property(case_, ([ns, t]) => {
        const m = new Matcher((visit) => ns.forEach((n, i) => visit(n, i)));
        expect(collect((sink) => m.scan(t, null, sink))).toEqual(naive(ns, t));
      }),
      { numRuns: 400 },
    );
  });

  it('finds a needle repeated back to back, overlapping, and at the very ends of the text', () => {
    const m = new Matcher((visit) => ['abab', 'abcabc'].forEach((n, i) => visit(n, i)));
    expect(collect((sink) => m.scan('ababab', null, sink))).toEqual([[0, 6]]);
    expect(collect((sink) => m.scan('abcab\n   cabc', null, sink))).toEqual([[0, 13]]);
  });
});

/**
 * Finding the needles of a redaction in a text, fast in the usual case and linear in every case.
 *
 * Most text holds no value, and a loop over every character in JavaScript is several times slower
 * than the engine's own search. So a scan first looks for where a match could start: one regular
 * expression of the needles' first PROBE characters (at most MAX_PROBES alternatives of PROBE
 * characters each, so it stays small; a line break may sit between two of them). At each place
 * found, the needles that begin with that probe are compared there, longest first, with
 * `startsWith` — when none of them could reach a line break (which the match would skip) and none
 * is longer than the automaton's trie holds. Otherwise, or once these comparisons have cost twice
 * the text, the Aho–Corasick automaton (src/render/redact-automaton.ts) runs from that place until
 * it is back at its root, and the search goes on from there. With more than MAX_PROBES probes the
 * automaton scans everything. It is built the first time it is needed: most texts never need it.
 */
import { ANCHOR, type Automaton, AutomatonBuilder, type Buffers, type MatchSink } from './redact-automaton.js';
import type { View } from './redact-views.js';

/**
 * Characters of each needle the probe search looks for: this many, or as many as the shortest
 * needle has (at least 4). Longer probes let the engine skip further.
 */
const PROBE = 8;
/** Distinct probes beyond which the search would grow large: the automaton scans everything. */
const MAX_PROBES = 200;
/**
 * Between two matched characters the text may hold a line break and the indentation after it. The
 * search allows any white space there (shorter to compile): what it finds is checked exactly.
 */
const GAP = '\\s*';

/** Calls `visit` with every needle and its label, the same ones in the same order each time. */
export type Needles = (visit: (needle: string, label: number) => void) => void;

/** The needles that begin with one probe, longest first (each string once, with its first label). */
interface Bucket {
  needles: string[];
  labels: number[];
  /** Some needle here is longer than the trie holds: only the automaton can check it. */
  long: boolean;
  maxLen: number;
}

export class Matcher {
  /** Needles by probe (null: too many probes, the automaton scans everything). */
  private readonly buckets: Map<string, Bucket> | null;
  /** Length of every probe. */
  private readonly probeLength: number;
  /** The probe search allowing a line break between two characters, and without (for text that has none); made on first use. */
  private probe: RegExp | undefined;
  private probePlain: RegExp | undefined;
  /** Length of the longest needle. */
  readonly longest: number;
  private built: Automaton | undefined;

  constructor(private readonly needles: Needles) {
    // One pass: short needles whole, long ones by their first PROBE characters.
    const short: string[] = [];
    const shortLabels: number[] = [];
    const longHeads = new Set<string>();
    let longest = 0;
    let shortest = Infinity;
    needles((needle, label) => {
      const n = needle.length;
      if (n > longest) longest = n;
      if (n < shortest) shortest = n;
      if (n > ANCHOR) longHeads.add(needle.slice(0, PROBE));
      else {
        short.push(needle);
        shortLabels.push(label);
      }
    });
    this.longest = longest;
    const length = Math.min(PROBE, shortest);
    this.probeLength = length;
    let buckets: Map<string, Bucket> | null = length >= 4 ? new Map() : null;
    const bucket = (key: string): Bucket | null => {
      if (buckets === null) return null;
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size === MAX_PROBES) {
          buckets = null;
          return null;
        }
        b = { needles: [], labels: [], long: false, maxLen: 0 };
        buckets.set(key, b);
      }
      return b;
    };
    for (const head of longHeads) {
      const b = bucket(head.slice(0, length));
      if (b === null) break;
      b.long = true;
    }
    const seen = new Set<string>();
    for (let x = 0; x < short.length && buckets !== null; x++) {
      const needle = short[x] as string;
      const label = shortLabels[x] as number;
      const b = bucket(needle.slice(0, length));
      if (b === null) break;
      if (needle.length > b.maxLen) b.maxLen = needle.length;
      if (seen.has(needle)) continue;
      seen.add(needle);
      // Longest first; of equal lengths, the first given first.
      let i = b.needles.length;
      b.needles.push(needle);
      b.labels.push(label);
      for (; i > 0 && (b.needles[i - 1] as string).length < needle.length; i--) {
        b.needles[i] = b.needles[i - 1] as string;
        b.labels[i] = b.labels[i - 1] as number;
      }
      b.needles[i] = needle;
      b.labels[i] = label;
    }
    this.buckets = buckets;
  }

  /**
   * Reports to `sink`, in offsets of the original text, for every offset of `text` where a needle
   * starts, the longest one there (and maybe shorter ones: the sink keeps the longest). `view`:
   * the decoded view `text` is the text of (null: `text` is the original). With `from` and `to`,
   * only matches starting in `[from, to)` whose first PROBE characters lie there too are sure to be
   * reported. `breaks` tells whether the text holds a line break, when the caller knows.
   */
  scan(text: string, view: View | null, sink: MatchSink, from = 0, to = text.length, breaks?: boolean): void {
    const buckets = this.buckets;
    if (buckets === null) {
      this.automaton().scanAll(text, view === null ? null : view.starts(), false, sink);
      return;
    }
    // The search runs on the range alone, so that it cannot go on past it.
    const hay = from === 0 && to === text.length ? text : text.slice(from, to);
    const gaps = breaks ?? (hay.indexOf('\n') >= 0 || hay.indexOf('\r') >= 0);
    const re = gaps ? (this.probe ??= probeSearch(buckets.keys(), GAP)) : (this.probePlain ??= probeSearch(buckets.keys(), ''));
    const probeLength = this.probeLength;
    const afterBreak = false;
    let starts: Int32Array | null | undefined;
    let budget = 2 * (to - from) + 256;
    // No match that starts in the range can end past this.
    const limit = Math.min(text.length, to + this.longest);
    let crText: boolean | undefined;
    let buffers: Buffers | null | undefined;
    let pos = from;
    // Where the last place looked at was, and whether a line break (then blanks only) came before it.
    let floor = from - 1;
    let floorBreak = from === 0 ? afterBreak : breakBefore(text, from, -1, afterBreak);
    let nextBreak = -1;
    while (pos < to) {
      re.lastIndex = pos - from;
      let m: RegExpExecArray | null;
      try {
        m = re.exec(hay);
      } catch {
        // Should the engine refuse the search (its message would quote the probes), scan it all.
        this.automaton().scanAll(text, view === null ? null : view.starts(), false, sink);
        return;
      }
      if (m === null) return;
      const p = from + m.index;
      const broken = breakBefore(text, p, floor, floorBreak);
      floor = p;
      floorBreak = broken;
      const c = text.charCodeAt(p);
      if (broken && (c === 32 || c === 9)) {
        // A blank right after a line break is skipped: no match starts on it.
        pos = p + 1;
        continue;
      }
      const b = m[0].length === probeLength ? buckets.get(m[0]) : undefined;
      if (b !== undefined && !b.long && budget > 0) {
        if (nextBreak < p) nextBreak = breaks === false ? text.length : lineBreakFrom(text, p, (crText ??= text.indexOf('\r') >= 0));
        if (p + b.maxLen <= nextBreak) {
          for (let j = 0; j < b.needles.length; j++) {
            const needle = b.needles[j] as string;
            budget -= needle.length;
            if (text.startsWith(needle, p)) {
              const end = p + needle.length;
              sink.add(view === null ? p : view.start(p), view === null ? end : view.start(end), b.labels[j] as number);
              break;
            }
          }
          pos = p + 1;
          continue;
        }
      }
      const a = this.automaton();
      if (buffers === undefined) buffers = a.buffers(text.length);
      if (starts === undefined) starts = view === null ? null : view.starts();
      pos = a.scanFrom(text, starts, p, limit, broken, sink, buffers);
      // The automaton stopped right after a character it kept: no line break before `pos`.
      floor = pos - 1;
      floorBreak = false;
    }
  }

  private automaton(): Automaton {
    if (this.built === undefined) {
      const b = new AutomatonBuilder();
      this.needles((needle, label) => b.add(needle, label));
      this.built = b.finish();
    }
    return this.built;
  }
}

/** Each ASCII character as it is written in a regular expression (letters and digits as they are). */
const LITERAL = Array.from({ length: 128 }, (_, c) => ((c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) ? String.fromCharCode(c) : `\\u${c.toString(16).padStart(4, '0')}`));

/**
 * One regular expression of the probes (all of one length), shaped as their trie — `a(?:bc|de)`
 * rather than `abc|ade`, so the engine tests each character once — with `gap` allowed between two
 * characters.
 */
function probeSearch(probes: Iterable<string>, gap: string): RegExp {
  const sorted = [...probes].sort();
  return new RegExp(alternatives(sorted, 0, sorted.length, 0, gap), 'g');
}

/** The trie below `depth` of `probes[lo, hi)`, which share their first `depth` characters. */
function alternatives(probes: readonly string[], lo: number, hi: number, depth: number, gap: string): string {
  if (depth === (probes[lo] as string).length) return '';
  let out = '';
  let count = 0;
  for (let i = lo; i < hi; ) {
    const c = (probes[i] as string).charCodeAt(depth);
    let j = i + 1;
    while (j < hi && (probes[j] as string).charCodeAt(depth) === c) j++;
    // A blank right after a line break is skipped, so no gap can come before one.
    const alt = (depth === 0 || c === 32 || c === 9 ? '' : gap) + (c < 128 ? (LITERAL[c] as string) : `\\u${c.toString(16).padStart(4, '0')}`) + alternatives(probes, i, j, depth + 1, gap);
    out = count === 0 ? alt : `${out}|${alt}`;
    count++;
    i = j;
  }
  return count > 1 && depth > 0 ? `(?:${out})` : out;
}

/**
 * Whether a line break, then blanks only, comes before `text[p]`. `floor` (< p) is a place whose
 * answer, `floorBreak`, is known; the walk back stops there, so a scan walks each character once.
 */
function breakBefore(text: string, p: number, floor: number, floorBreak: boolean): boolean {
  for (let i = p - 1; i > floor; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    return c === 10 || c === 13;
  }
  if (floor < 0) return floorBreak;
  const c = text.charCodeAt(floor);
  if (c === 32 || c === 9) return floorBreak;
  return c === 10 || c === 13;
}

/** The offset of the first line break at `p` or after it (the text's length if none); `cr`: the text holds a `\r`. */
function lineBreakFrom(text: string, p: number, cr: boolean): number {
  const end = text.length;
  const n = text.indexOf('\n', p);
  const r = cr ? text.indexOf('\r', p) : -1;
  return Math.min(n < 0 ? end : n, r < 0 ? end : r);
}

/**
 * The automaton behind `redact()`'s matcher: Aho–Corasick over UTF-16 code units. One left-to-right
 * pass over a text reports, at every position, the longest needle that ends there — in time linear
 * in the text, whatever the number and size of the needles (a regular expression of alternatives
 * grew with both, and threw past about 24,600 characters of needles).
 *
 * Memory stays small for huge needles: a needle of up to ANCHOR code units lives in the trie whole;
 * a longer one lives there by its first ANCHOR units (its anchor), and where the anchor is found the
 * whole needle is checked against two polynomial hashes (32-bit, random odd bases) of the text
 * read so far. A real occurrence is never missed (equal strings hash equal); a collision — about
 * one in 2^64 for text not built to collide, and aiming one at a value takes knowing the value —
 * can only mask text that is not a value. The check costs one comparison per long needle sharing
 * that anchor.
 *
 * Line breaks, and the spaces or tabs that follow them, are not part of what is matched: a needle
 * found across them masks them too (base64 wrapped at 64 or 76 columns, indented YAML blocks).
 * Callers normalise needles the same way (`withoutBreaks`).
 *
 * `scanFrom` runs from a given offset until the automaton is back at its root, for a caller that
 * knows where matches can start (src/render/redact-matcher.ts); `scanAll` runs over everything.
 */

/** Needles up to this many code units are in the trie whole. A power of two (the ring below). */
export const ANCHOR = 64;
const RING_MASK = ANCHOR - 1;
/** States × classes up to which the transitions are one table (1 MiB): one load per character. */
const DENSE_CELLS = 1 << 18;

/** Where matches go: `[start, end)` in the original text, with the label of the needle. */
export interface MatchSink {
  add(start: number, end: number, label: number): void;
}

/** Line breaks and the indentation after them, as the scan skips them. */
const BREAKS = /[\r\n][\r\n\t ]*/g;

/** `s` as the scan sees it: without line breaks and the spaces or tabs that follow them. */
export function withoutBreaks(s: string): string {
  return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace(BREAKS, '');
}

interface LongNeedle {
  node: number;
  len: number;
  h1: number;
  h2: number;
  /** base^len modulo 2^32, to take a window's hash out of two prefix hashes. */
  w1: number;
  w2: number;
  label: number;
}

/** A random odd 32-bit multiplier (odd: invertible modulo 2^32). */
function randomBase(): number {
  return (Math.floor(Math.random() * 0x100000000) | 1) | 0;
}

/** base^e modulo 2^32. */
function power(base: number, e: number): number {
  let r = 1;
  let b = base;
  for (let k = e; k > 0; k >>>= 1) {
    if (k & 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
  }
  return r;
}

function slot(u: number, c: number, mask: number): number {
  let h = (Math.imul(u, 0x9e3779b1) + c) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) & mask;
}

function grown<T extends Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** Collects needles into a trie, then `finish()` adds the failure links. */
export class AutomatonBuilder {
  private size = 1; // node 0 is the root
  private parent = new Int32Array(64);
  private edge = new Int32Array(64);
  private depth = new Uint8Array(64);
  /** Length of the needle ending at a node (0: none); at most ANCHOR. */
  private term = new Uint8Array(64);
  private termLabel = new Int32Array(64);
  /** Open addressing on (parent, class): child + 1, 0 for empty. */
  private slots = new Int32Array(128);
  private readonly ascii = new Int32Array(128);
  private readonly high = new Map<number, number>();
  private classes = 0;
  private readonly longs: LongNeedle[] = [];
  private readonly b1 = randomBase();
  private readonly b2 = randomBase();

  /** Adds a needle (not empty) with its label; the first label given for a needle stays. */
  add(needle: string, label: number): void {
    const len = needle.length;
    if (len === 0) return;
    const upto = len < ANCHOR ? len : ANCHOR;
    let u = 0;
    for (let i = 0; i < upto; i++) {
      const c = this.classOf(needle.charCodeAt(i));
      const v = this.child(u, c);
      u = v >= 0 ? v : this.newNode(u, c);
    }
    if (len <= ANCHOR) {
      if (this.term[u] === 0) {
        this.term[u] = len;
        this.termLabel[u] = label;
      }
      return;
    }
    const { b1, b2, ascii } = this;
    let h1 = 0;
    let h2 = 0;
    for (let i = 0; i < len; i++) {
      const ch = needle.charCodeAt(i);
      const x = ch < 128 && (ascii[ch] as number) !== 0 ? (ascii[ch] as number) : this.classOf(ch);
      h1 = (Math.imul(h1, b1) + x) | 0;
      h2 = (Math.imul(h2, b2) + x) | 0;
    }
    this.longs.push({ node: u, len, h1, h2, w1: power(b1, len), w2: power(b2, len), label });
  }

  finish(): Automaton {
    const n = this.size;
    const { parent, edge, depth, term, termLabel } = this;
    const alphabet = this.classes + 1;
    const rootNext = new Int32Array(alphabet);
    // Breadth-first order (by depth): a node's failure target is shallower, so it is done first.
    const count = new Int32Array(ANCHOR + 2);
    for (let v = 1; v < n; v++) (count[(depth[v] as number) + 1] as number)++;
    for (let d = 1; d < count.length; d++) count[d] = (count[d] as number) + (count[d - 1] as number);
    const order = new Int32Array(n - 1);
    for (let v = 1; v < n; v++) order[(count[depth[v] as number] as number)++] = v;
    const fail = new Int32Array(n);
    const outLen = new Uint8Array(n);
    const outLabel = new Int32Array(n);
    for (const v of order) {
      const u = parent[v] as number;
      const c = edge[v] as number;
      let g = 0;
      if (u === 0) rootNext[c] = v;
      else {
        let f = fail[u] as number;
        for (;;) {
          if (f === 0) {
            g = rootNext[c] as number;
            break;
          }
          const w = this.child(f, c);
          if (w >= 0) {
            g = w;
            break;
          }
          f = fail[f] as number;
        }
      }
      fail[v] = g;
      if (term[v] !== 0) {
        outLen[v] = term[v] as number;
        outLabel[v] = termLabel[v] as number;
      } else {
        outLen[v] = outLen[g] as number;
        outLabel[v] = outLabel[g] as number;
      }
    }
    // A small automaton gets its whole transition function as a table: row v is row fail(v)
    // with v's own children written over it.
    let dense: Int32Array | null = null;
    if (n * alphabet <= DENSE_CELLS) {
      dense = new Int32Array(n * alphabet);
      const first = new Int32Array(n);
      const next = new Int32Array(n);
      for (let w = n - 1; w >= 1; w--) {
        const p = parent[w] as number;
        next[w] = first[p] as number;
        first[p] = w;
      }
      for (let w = first[0] as number; w !== 0; w = next[w] as number) dense[edge[w] as number] = w;
      for (const v of order) {
        const f = (fail[v] as number) * alphabet;
        dense.copyWithin(v * alphabet, f, f + alphabet);
        for (let w = first[v] as number; w !== 0; w = next[w] as number) dense[v * alphabet + (edge[w] as number)] = w;
      }
    }
    // Long needles by anchor, longest first (the first that matches covers the shorter ones);
    // a stable sort keeps the first label of a needle given twice.
    const longs = this.longs.slice().sort((a, b) => a.node - b.node || b.len - a.len);
    const kept = longs.filter((l, i) => {
      const p = longs[i - 1];
      return !(p && p.node === l.node && p.len === l.len && p.h1 === l.h1 && p.h2 === l.h2);
    });
    const anchorFirst = new Int32Array(kept.length > 0 ? n : 0).fill(-1);
    kept.forEach((l, i) => {
      if ((anchorFirst[l.node] as number) < 0) anchorFirst[l.node] = i;
    });
    return new Automaton({
      ascii: this.ascii,
      high: this.high.size > 0 ? this.high : null,
      rootNext,
      dense,
      alphabet,
      slots: this.slots,
      parent: parent.subarray(0, n),
      edge: edge.subarray(0, n),
      fail,
      outLen,
      outLabel,
      anchorFirst,
      longs: kept,
      b1: this.b1,
      b2: this.b2,
    });
  }

  private classOf(ch: number): number {
    if (ch < 128) {
      const c = this.ascii[ch] as number;
      if (c !== 0) return c;
      this.ascii[ch] = ++this.classes;
      return this.classes;
    }
    const c = this.high.get(ch);
    if (c !== undefined) return c;
    this.high.set(ch, ++this.classes);
    return this.classes;
  }

  private child(u: number, c: number): number {
    const { slots, parent, edge } = this;
    const mask = slots.length - 1;
    for (let i = slot(u, c, mask); ; i = (i + 1) & mask) {
      const v = slots[i] as number;
      if (v === 0) return -1;
      if (parent[v - 1] === u && edge[v - 1] === c) return v - 1;
    }
  }

  private newNode(u: number, c: number): number {
    const v = this.size++;
    if (v >= this.parent.length) {
      const size = this.parent.length * 2;
      this.parent = grown(this.parent, size);
      this.edge = grown(this.edge, size);
      this.depth = grown(this.depth, size);
      this.term = grown(this.term, size);
      this.termLabel = grown(this.termLabel, size);
    }
    this.parent[v] = u;
    this.edge[v] = c;
    this.depth[v] = (this.depth[u] as number) + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.place(v);
    return v;
  }

  private place(v: number): void {
    const { slots } = this;
    const mask = slots.length - 1;
    let i = slot(this.parent[v] as number, this.edge[v] as number, mask);
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = v + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let v = 1; v < this.size; v++) this.place(v);
  }
}

interface Tables {
  ascii: Int32Array;
  high: Map<number, number> | null;
  rootNext: Int32Array;
  /** The transition function as a table (state × alphabet + class), when small enough. */
  dense: Int32Array | null;
  alphabet: number;
  slots: Int32Array;
  parent: Int32Array;
  edge: Int32Array;
  fail: Int32Array;
  outLen: Uint8Array;
  outLabel: Int32Array;
  anchorFirst: Int32Array;
  longs: readonly LongNeedle[];
  b1: number;
  b2: number;
}

/** A finished automaton; its scans may be called any number of times, on any texts. */
export class Automaton {
  /** Scratch of `run` (scans do not nest): starts of the last ANCHOR characters, anchors found. */
  private readonly ring = new Int32Array(ANCHOR);
  private readonly hits: number[] = [];

  constructor(private readonly t: Tables) {}

  /**
   * Every match in `text`, scanning all of it. `starts[i]` is where `text[i]` begins in the
   * original text (one more entry: where the last one ends); null when `text` is the original.
   * `afterBreak`: the text starts right after a line break (blanks there are skipped).
   */
  scanAll(text: string, starts: Int32Array | null, afterBreak: boolean, sink: MatchSink): void {
    this.run(text, starts, 0, text.length, afterBreak, false, sink, this.buffers(text.length));
  }

  /**
   * The matches that start at `from` or after it, until the automaton is back at its root (then
   * no match can be under way) or at `limit`; returns where it stopped. `buffers` come from
   * `buffers(text.length)`, once per text.
   */
  scanFrom(text: string, starts: Int32Array | null, from: number, limit: number, afterBreak: boolean, sink: MatchSink, buffers: Buffers | null): number {
    return this.run(text, starts, from, limit, afterBreak, true, sink, buffers);
  }

  /** Scratch for long needles' hashes over a text of `m` characters (null: no long needles). */
  buffers(m: number): Buffers | null {
    return this.t.longs.length === 0 ? null : { h1: new Int32Array(m + 1), h2: new Int32Array(m + 1), ends: new Int32Array(m) };
  }

  /** Scans `[from, limit)`; with `stopAtRoot`, only until the automaton is back at its root. Returns where it stopped. */
  private run(text: string, starts: Int32Array | null, from: number, limit: number, afterBreak0: boolean, stopAtRoot: boolean, sink: MatchSink, buf: Buffers | null): number {
    const { ascii, high, rootNext, dense, alphabet, slots, parent, edge, fail, outLen, outLabel, anchorFirst, longs, b1, b2 } = this.t;
    const mask = slots.length - 1;
    const m = limit;
    const { ring, hits } = this;
    hits.length = 0;
    let state = 0;
    let k = 0; // characters kept (not skipped as line breaks) since `from`
    let pending = 0; // a long needle may end up to here (in kept characters): keep hashing
    let afterBreak = afterBreak0;
    let i = from;
    for (; i < m; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 || ch === 13) {
        afterBreak = true;
        continue;
      }
      if (afterBreak && (ch === 32 || ch === 9)) continue;
      afterBreak = false;
      const c = ch < 128 ? (ascii[ch] as number) : high === null ? 0 : (high.get(ch) ?? 0);
      if (dense !== null) state = dense[state * alphabet + c] as number;
      else if (c === 0) state = 0;
      else {
        let s = state;
        for (;;) {
          if (s === 0) {
            state = rootNext[c] as number;
            break;
          }
          let next = -1;
          for (let j = slot(s, c, mask); ; j = (j + 1) & mask) {
            const v = slots[j] as number;
            if (v === 0) break;
            if (parent[v - 1] === s && edge[v - 1] === c) {
              next = v - 1;
              break;
            }
          }
          if (next >= 0) {
            state = next;
            break;
          }
          s = fail[s] as number;
        }
      }
      const end = starts === null ? i + 1 : (starts[i + 1] as number);
      ring[k & RING_MASK] = starts === null ? i : (starts[i] as number);
      if (buf !== null) {
        buf.ends[k] = end;
        buf.h1[k + 1] = (Math.imul(buf.h1[k] as number, b1) + c) | 0;
        buf.h2[k + 1] = (Math.imul(buf.h2[k] as number, b2) + c) | 0;
      }
      k++;
      if (state !== 0) {
        const len = outLen[state] as number;
        if (len !== 0) sink.add(ring[(k - len) & RING_MASK] as number, end, outLabel[state] as number);
        if (buf !== null) {
          const first = anchorFirst[state] as number;
          if (first >= 0) {
            hits.push(k - ANCHOR, ring[k & RING_MASK] as number, state);
            pending = Math.max(pending, k - ANCHOR + (longs[first] as LongNeedle).len);
          }
        }
      } else if (stopAtRoot && k >= pending) {
        i++;
        break;
      }
    }
    if (buf !== null && hits.length > 0) this.confirm(hits, k, buf, sink);
    return i;
  }

  /** Each anchor found: the longest long needle on it that the text holds there, by its hashes. */
  private confirm(hits: readonly number[], kept: number, buf: Buffers, sink: MatchSink): void {
    const { longs, anchorFirst } = this.t;
    const { h1, h2, ends } = buf;
    for (let x = 0; x < hits.length; x += 3) {
      const a = hits[x] as number;
      const start = hits[x + 1] as number;
      const node = hits[x + 2] as number;
      for (let j = anchorFirst[node] as number; j < longs.length; j++) {
        const l = longs[j] as LongNeedle;
        if (l.node !== node) break;
        if (a + l.len > kept) continue;
        if (windowHash(h1, a, l.len, l.w1) === l.h1 && windowHash(h2, a, l.len, l.w2) === l.h2) {
          sink.add(start, ends[a + l.len - 1] as number, l.label);
          break;
        }
      }
    }
  }
}

/** Prefix hashes of the characters kept, and where each ends in the original (long needles only). */
export interface Buffers {
  h1: Int32Array;
  h2: Int32Array;
  ends: Int32Array;
}

/** The hash of `[a, a + len)` from prefix hashes `h`, with `w` = base^len (all modulo 2^32). */
function windowHash(h: Int32Array, a: number, len: number, w: number): number {
  return ((h[a + len] as number) - Math.imul(h[a] as number, w)) | 0;
}

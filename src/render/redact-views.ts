/**
 * Decoded views of a text for `redact()`: parts of the text with JSON string escapes undone, or
 * with percent-encoding undone. A value is looked for in each view as it is, so every way of
 * escaping it is found — `\u00e9` or `\u00E9` or `é`, `%21` or `!`, `%2f` or `%2F`, any subset of
 * the characters encoded — without a needle per encoder. Each character of a view knows where it
 * came from, so a match masks exactly the encoded text it was decoded from.
 *
 * A match that takes in no decoded character is a match in the text itself, so only windows
 * around escapes are decoded: each run of nearby escapes with `reach` (the longest needle's
 * length) kept characters on either side. The engine finds the escapes; only they are decoded
 * here, the text between them is sliced. A view keeps one entry per decoded character; the
 * offsets of the others follow from those.
 */

/** What each named JSON escape stands for, by the character after the backslash (0: not one). */
const NAMED = new Int32Array(128);
for (const [c, v] of [['"', 0x22], ['\\', 0x5c], ['/', 0x2f], ['b', 0x08], ['f', 0x0c], ['n', 0x0a], ['r', 0x0d], ['t', 0x09]] as const) NAMED[c.charCodeAt(0)] = v;

/** Finds escapes: `next(text, from, to)` is the offset of the next one in `[from, to)` (-1: none), `size` its length. */
interface Escapes {
  next(text: string, from: number, to: number): number;
  size: number;
}

/** JSON string escapes, read left to right as a parser does (`\\\\` is one escape). */
function jsonEscapes(): Escapes {
  const e: Escapes = {
    size: 0,
    next(text, from, to) {
      for (let i = text.indexOf('\\', from); i >= 0 && i + 1 < to; i = text.indexOf('\\', i + 1)) {
        const c = text.charCodeAt(i + 1);
        if (c < 128 && NAMED[c] !== 0) {
          e.size = 2;
          return i;
        }
        if (c === 0x75 && i + 6 <= to && isHex(text, i + 2) && isHex(text, i + 3) && isHex(text, i + 4) && isHex(text, i + 5)) {
          e.size = 6;
          return i;
        }
      }
      return -1;
    },
  };
  return e;
}

/** Runs of `%XX` (either case), and with `plus` each `+`. */
function percentEscapes(plus: boolean): Escapes {
  // The next `+` found, kept so that a far one is not searched for again at every `%`.
  let plusAt = -1;
  let plusFrom = Infinity;
  const e: Escapes = {
    size: 0,
    next(text, from, to) {
      let p = -2;
      for (let i = text.indexOf('%', from); i >= 0 && i + 2 < to; i = text.indexOf('%', i + 1)) {
        if (isHex(text, i + 1) && isHex(text, i + 2)) {
          p = i;
          break;
        }
      }
      if (plus) {
        if (from < plusFrom || (plusAt >= 0 && plusAt < from)) {
          plusAt = text.indexOf('+', from);
          plusFrom = from;
        }
        const q = plusAt;
        if (q >= 0 && q < to && (p < 0 || q < p)) {
          e.size = 1;
          return q;
        }
      }
      if (p < 0) return -1;
      let j = p + 3;
      while (j + 2 < to && text.charCodeAt(j) === 0x25 && isHex(text, j + 1) && isHex(text, j + 2)) j += 3;
      e.size = j - p;
      return p;
    },
  };
  return e;
}

function isHex(s: string, i: number): boolean {
  const c = s.charCodeAt(i) | 0x20;
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** A decoded window of a text and where each of its characters came from. */
export class View {
  private materialized: Int32Array | undefined;

  /**
   * `text` was decoded from the source (the original text, or `parent`'s text) from offset `base`
   * on; its `at[j]`-th character from `[from[j], from[j] + len[j])`, the others are copies.
   */
  constructor(
    readonly text: string,
    private readonly parent: View | null,
    private readonly base: number,
    private readonly at: readonly number[],
    private readonly from: readonly number[],
    private readonly len: readonly number[],
    /** Some decoded character is a line break. */
    readonly breaks: boolean,
  ) {}

  /** The offset of the first decoded character, and of the last. */
  firstDecoded(): number {
    return this.at[0] as number;
  }

  lastDecoded(): number {
    return this.at[this.at.length - 1] as number;
  }

  /** Where character `i` starts in the original text (`i` = length: where the last one ends). */
  start(i: number): number {
    const local = this.local(i);
    return this.parent === null ? local : this.parent.start(local);
  }

  /** `start` of every character and of the end, as one array (for a scan of every character). */
  starts(): Int32Array {
    if (this.materialized === undefined) {
      const m = this.text.length;
      const out = new Int32Array(m + 1);
      let j = 0;
      let src = this.base;
      for (let i = 0; i <= m; i++) {
        if (j < this.at.length && this.at[j] === i) {
          src = this.from[j] as number;
          out[i] = src;
          src += this.len[j] as number;
          j++;
        } else out[i] = src++;
      }
      if (this.parent !== null) for (let i = 0; i <= m; i++) out[i] = this.parent.start(out[i] as number);
      this.materialized = out;
    }
    return this.materialized;
  }

  /** Where the window starts and ends in the original text. */
  get span(): [number, number] {
    return [this.start(0), this.start(this.text.length)];
  }

  /** Whether original offset `b` falls strictly inside what one decoded character came from. */
  cuts(b: number): boolean {
    // The last decoded character starting before b, by binary search on where they start.
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sourceStart(mid) < b) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && this.sourceEnd(lo - 1) > b) return true;
    return this.parent !== null && this.parent.cuts(b);
  }

  private sourceStart(j: number): number {
    const f = this.from[j] as number;
    return this.parent === null ? f : this.parent.start(f);
  }

  private sourceEnd(j: number): number {
    const e = (this.from[j] as number) + (this.len[j] as number);
    return this.parent === null ? e : this.parent.start(e);
  }

  /** Where character `i` starts in the source. */
  private local(i: number): number {
    const { at } = this;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((at[mid] as number) <= i) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return this.base + i;
    const j = lo - 1;
    const a = at[j] as number;
    return a === i ? (this.from[j] as number) : (this.from[j] as number) + (this.len[j] as number) + (i - a - 1);
  }
}

/**
 * Whether original offset `b` falls strictly inside an escape that one of `views` decoded; the
 * views are windows in order, disjoint but for a window and its second decoding.
 */
export function cutIn(views: readonly View[], b: number): boolean {
  let lo = 0;
  let hi = views.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((views[mid] as View).span[1] <= b) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < views.length; i++) {
    const v = views[i] as View;
    const [from, to] = v.span;
    if (from >= b) break;
    if (b < to && v.cuts(b)) return true;
  }
  return false;
}

/**
 * The JSON views of `text`: each window around its JSON string escapes (`\"`, `\\`, `\/`,
 * `\b\f\n\r\t`, `\uXXXX` in either case, read left to right as a JSON parser does) decoded, and
 * where the decoded window holds escapes in turn (JSON inside JSON), that decoded again.
 */
export function jsonViews(text: string, reach: number): View[] {
  const out: View[] = [];
  if (text.indexOf('\\') < 0) return out;
  // An escape decoded in the second pass may run on past the first pass's escape by up to 5
  // characters (`\\\\u0041` is `\\u0041` once decoded): the windows reach that much further.
  const esc = jsonEscapes();
  const w = windows(text, esc, reach, 5);
  for (let i = 0; i < w.length; i += 2) {
    let twice: View | null = null;
    const once = wide(text, w, i, reach, (from, to) => {
      const v = jsonView(text, null, from, to, esc);
      twice = v === null ? null : jsonView(v.text, v, 0, v.text.length, esc);
      return v === null ? [] : twice === null ? [v] : [v, twice];
    });
    if (once === null) continue;
    out.push(once);
    if (twice !== null) out.push(twice);
  }
  return out;
}

/**
 * The percent views of `text`: each window around its `%XX` escapes (either case) decoded as
 * UTF-8 and, with `plus`, `+` read as a space (form encoding). A `%XX` that does not belong to a
 * valid UTF-8 sequence stays as it is.
 */
export function percentViews(text: string, reach: number, plus: boolean): View[] {
  const out: View[] = [];
  if (text.indexOf('%') < 0 && !(plus && text.indexOf('+') >= 0)) return out;
  const esc = percentEscapes(plus);
  const w = windows(text, esc, reach);
  for (let i = 0; i < w.length; i += 2) {
    const v = wide(text, w, i, reach, (from, to) => {
      const p = percentView(text, from, to, esc);
      return p === null ? [] : [p];
    });
    if (v !== null) out.push(v);
  }
  return out;
}

/**
 * The first view `decode` makes of window `i` of `w` (flat pairs), the window widened while a line
 * break some view decodes leaves fewer than `reach` kept characters on a side (the blanks after a
 * decoded line break are not kept, though they were counted as kept in the text).
 */
function wide(text: string, w: number[], i: number, reach: number, decode: (from: number, to: number) => View[]): View | null {
  for (;;) {
    const from = w[i] as number;
    const to = w[i + 1] as number;
    const views = decode(from, to);
    if (views.length === 0) return null;
    const floor = i > 0 ? (w[i - 1] as number) : 0;
    let back = false;
    let fwd = false;
    for (const v of views) {
      if (!v.breaks) continue;
      if (from > floor && keptCount(v.text, 0, v.firstDecoded(), reach) < reach) back = true;
      if (to < text.length && keptCount(v.text, v.lastDecoded() + 1, v.text.length, reach) < reach) fwd = true;
    }
    if (!back && !fwd) return views[0] as View;
    const cr = text.indexOf('\r') >= 0;
    if (back) w[i] = keptBack(text, from, reach, floor, cr);
    if (fwd) {
      w[i + 1] = keptForward(text, to, reach, cr);
      // Windows stay disjoint and in order: one that reaches the next takes it in.
      while (i + 2 < w.length && (w[i + 1] as number) >= (w[i + 2] as number)) {
        w[i + 1] = Math.max(w[i + 1] as number, w[i + 3] as number);
        w.splice(i + 2, 2);
      }
    }
  }
}

/** Kept characters in `text[a, b)`, counting up to `cap`. */
function keptCount(text: string, a: number, b: number, cap: number): number {
  let seen = 0;
  let afterBreak = a > 0 && isBreak(text.charCodeAt(a - 1));
  for (let i = a; i < b && seen < cap; i++) {
    const c = text.charCodeAt(i);
    if (isBreak(c)) afterBreak = true;
    else if (!(afterBreak && isBlank(c))) {
      afterBreak = false;
      seen++;
    }
  }
  return seen;
}

/**
 * Windows around the escapes `escape` finds: runs of escapes less than 2 × `reach` apart, with
 * `reach` kept characters before and `tail` + `reach` after. Flat pairs [from, to, …], in order; a window starts
 * and ends outside escapes.
 */
function windows(text: string, escapes: Escapes, reach: number, tail = 0): number[] {
  const out: number[] = [];
  const n = text.length;
  const cr = text.indexOf('\r') >= 0;
  let first = -1;
  let last = 0;
  for (let at = escapes.next(text, 0, n); at >= 0; at = escapes.next(text, last, n)) {
    const end = at + escapes.size;
    if (first >= 0 && at - last <= 2 * reach) {
      last = end;
      continue;
    }
    if (first >= 0) close(out, text, first, Math.min(n, last + tail), reach, cr);
    first = at;
    last = end;
  }
  if (first >= 0) close(out, text, first, Math.min(n, last + tail), reach, cr);
  return out;
}

function close(out: number[], text: string, first: number, last: number, reach: number, cr: boolean): void {
  const floor = out.length > 0 ? (out[out.length - 1] as number) : 0;
  const from = keptBack(text, first, reach, floor, cr);
  const to = keptForward(text, last, reach, cr);
  if (out.length > 0 && from <= floor) out[out.length - 1] = to;
  else out.push(from, to);
}

/** `source[from, to)` with its JSON escapes decoded; null when none decodes. */
function jsonView(source: string, parent: View | null, from: number, to: number, escapes: Escapes): View | null {
  let breaks = false;
  const parts: string[] = [];
  const at: number[] = [];
  const src: number[] = [];
  const len: number[] = [];
  let last = from;
  let length = 0;
  for (let i = escapes.next(source, from, to); i >= 0; i = escapes.next(source, last, to)) {
    const size = escapes.size;
    const code = size === 2 ? (NAMED[source.charCodeAt(i + 1)] as number) : (hexByte(source, i + 1) << 8) | hexByte(source, i + 3);
    if (code === 10 || code === 13) breaks = true;
    if (i > last) parts.push(source.slice(last, i));
    length += i - last;
    parts.push(String.fromCharCode(code));
    at.push(length++);
    src.push(i);
    len.push(size);
    last = i + size;
  }
  if (at.length === 0) return null;
  parts.push(source.slice(last, to));
  return new View(parts.join(''), parent, from, at, src, len, breaks);
}

/** `source[from, to)` with its percent-encoding decoded; null when none decodes. */
function percentView(source: string, from: number, to: number, escapes: Escapes): View | null {
  let breaks = false;
  const parts: string[] = [];
  const at: number[] = [];
  const src: number[] = [];
  const len: number[] = [];
  let last = from;
  let length = 0;
  for (let i0 = escapes.next(source, from, to); i0 >= 0; i0 = escapes.next(source, last, to)) {
    const size = escapes.size;
    if (i0 > last) parts.push(source.slice(last, i0));
    length += i0 - last;
    last = i0 + size;
    if (size === 1) {
      // A `+` of form encoding.
      parts.push(' ');
      at.push(length++);
      src.push(i0);
      len.push(1);
      continue;
    }
    // The run's bytes, one UTF-8 sequence at a time; a byte that starts none is copied.
    for (let k = i0; k < last; ) {
      const cp = utf8At(source, k, last);
      if (cp < 0) {
        parts.push(source.slice(k, k + 3));
        length += 3;
        k += 3;
        continue;
      }
      const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (cp === 10 || cp === 13) breaks = true;
      parts.push(String.fromCodePoint(cp));
      if (cp < 0x10000) {
        at.push(length++);
        src.push(k);
        len.push(3 * bytes);
      } else {
        // The two halves of a surrogate pair split the escapes: [k, k + 1) and the rest.
        at.push(length++, length++);
        src.push(k, k + 1);
        len.push(1, 3 * bytes - 1);
      }
      k += 3 * bytes;
    }
  }
  if (at.length === 0) return null;
  parts.push(source.slice(last, to));
  return new View(parts.join(''), null, from, at, src, len, breaks);
}

function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}

/** The byte of the two hex digits after offset `i` (of `%XX`, or half of `\uXXXX`). */
function hexByte(s: string, i: number): number {
  return (hexDigit(s.charCodeAt(i + 1)) << 4) | hexDigit(s.charCodeAt(i + 2));
}

/** The code point of the well-formed UTF-8 sequence of `%XX` escapes at `k` (a run ending at `end`), or -1. */
function utf8At(s: string, k: number, end: number): number {
  const b0 = hexByte(s, k);
  if (b0 < 0x80) return b0;
  const size = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (size === 0 || k + 3 * size > end) return -1;
  let cp = b0 & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07);
  for (let c = 1; c < size; c++) {
    const b = hexByte(s, k + 3 * c);
    // Continuation bytes; the second byte is narrower after E0, ED, F0 and F4 (no overlong
    // forms, no surrogates, nothing past U+10FFFF).
    let lo = 0x80;
    let hi = 0xbf;
    if (c === 1) {
      if (b0 === 0xe0) lo = 0xa0;
      else if (b0 === 0xed) hi = 0x9f;
      else if (b0 === 0xf0) lo = 0x90;
      else if (b0 === 0xf4) hi = 0x8f;
    }
    if (b < lo || b > hi) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  return cp;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/** The last line break before `at` (-1 if none); `cr`: the text holds a `\r`. */
function breakBefore(text: string, at: number, cr: boolean): number {
  const n = text.lastIndexOf('\n', at - 1);
  return cr ? Math.max(n, text.lastIndexOf('\r', at - 1)) : n;
}

/** The first line break at `at` or after it (the text's length if none). */
function breakFrom(text: string, at: number, cr: boolean): number {
  const end = text.length;
  const n = text.indexOf('\n', at);
  const r = cr ? text.indexOf('\r', at) : -1;
  return Math.min(n < 0 ? end : n, r < 0 ? end : r);
}

/**
 * The offset `count` kept characters before `at` (0 if there are fewer), not before `floor`. A
 * line break is not kept, nor the blanks right after one. Line by line: the engine finds the
 * breaks, and only indentation is walked.
 */
function keptBack(text: string, at: number, count: number, floor: number, cr: boolean): number {
  let end = at; // the kept text of the current line is [its content start, end)
  let need = count;
  for (;;) {
    if (end <= floor) return floor;
    const br = breakBefore(text, end, cr);
    let start = br + 1;
    // The line's indentation is skipped, if a line break comes before it.
    if (br >= 0) while (start < end && isBlank(text.charCodeAt(start))) start++;
    if (end - start >= need) return Math.max(floor, end - need);
    need -= end - start;
    if (br < 0) return Math.max(floor, 0);
    // Back over the break run (breaks, and blank lines).
    end = br;
    while (end > 0 && isBreak(text.charCodeAt(end - 1))) end--;
  }
}

/** The offset `count` kept characters after `at` (the end if there are fewer). */
function keptForward(text: string, at: number, count: number, cr: boolean): number {
  let i = at;
  if (i > 0 && isBreak(text.charCodeAt(i - 1))) while (i < text.length && (isBlank(text.charCodeAt(i)) || isBreak(text.charCodeAt(i)))) i++;
  let need = count;
  for (;;) {
    const br = breakFrom(text, i, cr);
    if (br - i >= need) return i + need;
    need -= br - i;
    if (br >= text.length) return text.length;
    i = br;
    while (i < text.length && (isBlank(text.charCodeAt(i)) || isBreak(text.charCodeAt(i)))) i++;
  }
}

/**
 * `redact(text)`: masks every secret value a render used, wherever it shows up in logs or
 * output, as `[REDACTED:name]`. It never throws, and runs in time linear in the text whatever the
 * number and size of the values (src/render/redact-matcher.ts, src/render/redact-automaton.ts).
 *
 * A value is found:
 * - as it is, and — through decoded views of the text (src/render/redact-views.ts) — however it
 *   was JSON-escaped (`\"`, `\uXXXX` in either case, as JSON.stringify or Python's json.dumps
 *   write it), JSON-escaped twice (JSON inside JSON), or percent-encoded (upper or lower case, any
 *   set of characters encoded, `+` for spaces: encodeURIComponent, form encoding, URLSearchParams);
 * - as base64, standard or URL-safe, padded or not, and at the three byte alignments, so a value
 *   inside a larger base64 blob such as a Basic auth header is found;
 * - across line breaks and the indentation after them (base64 wrapped at 64 or 76 columns, a
 *   multi-line value in an indented block), and line by line when it spans lines.
 * Outputs computed from secrets by filters or joins are recorded at render time and masked too
 * (labelled with the first secret they read).
 *
 * Very short strings (under MIN_MASKED = 4 characters) are not masked on their own: masking every
 * `a` or `42` would shred the text while hiding nothing worth hiding. They are still masked as
 * part of a longer variant or derived output that contains them.
 *
 * Where matches overlap they are masked as one, labelled by the longest match at the leftmost
 * position. Redaction is idempotent and leaves its own markers as they are: `[REDACTED:name]` of
 * a name in the render is itself a needle that masks to itself, so a value inside a name is not
 * masked again inside the marker.
 */
import type { Derived } from './evaluate.js';
import type { MatchSink } from './redact-automaton.js';
import { Matcher } from './redact-matcher.js';
import { NeedleSet, UNREDACTABLE } from './redact-needles.js';
import { cutIn, jsonViews, percentViews, type View } from './redact-views.js';

export { MIN_MASKED } from './redact-needles.js';

/**
 * Scans of one call at most. The first is final unless masking could make a new match (a value
 * that could run into a marker, or a mask that cut an escape in two); each further scan only
 * masks more, and two are enough for anything but values built to chain.
 */
const MAX_PASSES = 8;
const NO_VIEWS: readonly View[] = [];

export interface UsedSecret {
  /** The name as written in the definition, used in the mask. */
  name: string;
  value: string;
}

/**
 * A redactor over the values of one render (`values[i]` is the value of `names[i]`, when used).
 * Nothing is computed until the first call: most renders are never redacted. The redactor never
 * throws: a non-string is redacted as `String(x)` ('' if even that throws), and should anything
 * fail inside (memory), the answer is `[REDACTED]`, never the text.
 */
export function makeRedactor(names: readonly string[], values: readonly (string | undefined)[], derived: readonly Derived[] | undefined): (text: string) => string {
  let redactor: Redactor | null | undefined;
  return (text: string): string => {
    try {
      const s = typeof text === 'string' ? text : asText(text);
      if (s === '') return s;
      if (redactor === undefined) {
        const used: UsedSecret[] = [];
        names.forEach((name, i) => {
          const value = values[i];
          if (value !== undefined) used.push({ name, value });
        });
        const needles = new NeedleSet(used, derived);
        redactor = needles.any ? new Redactor(needles) : null;
      }
      return redactor === null ? s : redactor.redact(s);
    } catch {
      return UNREDACTABLE;
    }
  };
}

function asText(x: unknown): string {
  try {
    return String(x);
  } catch {
    return '';
  }
}

/**
 * The matches of one pass, merged into regions: overlapping matches are one region, labelled by
 * the longest match at its leftmost position.
 */
class Cover implements MatchSink {
  /** start, end, label of each match, as reported. */
  private readonly list: number[] = [];
  private n = 0;

  /** Starts over, for a text of `n` characters. */
  reset(n: number): void {
    this.n = n;
    this.list.length = 0;
  }

  add(start: number, end: number, label: number): void {
    this.list.push(start, end, label);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Regions as flat triples [start, end, label, …], in order, into `out` (emptied first). */
  regions(out: number[]): void {
    const { list, n } = this;
    out.length = 0;
    const count = list.length / 3;
    let sorted = true;
    for (let i = 3; i < list.length && sorted; i += 3) {
      const d = (list[i] as number) - (list[i - 3] as number);
      sorted = d > 0 || (d === 0 && (list[i + 1] as number) <= (list[i - 2] as number));
    }
    if (sorted) {
      for (let i = 0; i < list.length; i += 3) merge(out, list[i] as number, list[i + 1] as number, list[i + 2] as number);
    } else if (count * Math.log2(count) < n) {
      // Few matches (the usual case): sort them, by start and then longest first. The sort is
      // stable, so of two equal matches the first reported keeps its label.
      const order: number[] = [];
      for (let i = 0; i < list.length; i += 3) order.push(i);
      order.sort((a, b) => (list[a] as number) - (list[b] as number) || (list[b + 1] as number) - (list[a + 1] as number));
      for (const i of order) merge(out, list[i] as number, list[i + 1] as number, list[i + 2] as number);
    } else {
      // Many: the longest match at each offset, then one sweep (linear in the text).
      const ends = new Int32Array(n);
      const labels = new Int32Array(n);
      for (let i = 0; i < list.length; i += 3) {
        const s = list[i] as number;
        if ((list[i + 1] as number) > (ends[s] as number)) {
          ends[s] = list[i + 1] as number;
          labels[s] = list[i + 2] as number;
        }
      }
      for (let s = 0; s < n; s++) if ((ends[s] as number) > 0) merge(out, s, ends[s] as number, labels[s] as number);
    }
  }
}

/** Appends a match to regions in order of start: overlapping the last region, it extends it. */
function merge(out: number[], start: number, end: number, label: number): void {
  const last = out.length - 3;
  if (last >= 0 && start < (out[last + 1] as number)) {
    if (end > (out[last + 1] as number)) out[last + 1] = end;
  } else out.push(start, end, label);
}

class Redactor {
  /** Scratch of the pass under way (redaction never runs two passes at once). */
  private readonly cover = new Cover();
  /** The pass's decoded windows, JSON and percent, each in order. */
  private json: readonly View[] = [];
  private percent: readonly View[] = [];
  private readonly regions: number[] = [];
  /** Set by `pass`: its result must be scanned again. */
  private recheck = false;

  private readonly matcher: Matcher;
  private readonly markers: readonly string[];
  /** Some value could run into a marker: check each changed text once more. */
  private readonly markerRisk: boolean;
  /** Some value holds a space, which form encoding writes as `+`. */
  private readonly plus: boolean;

  constructor(needles: NeedleSet) {
    this.matcher = new Matcher((visit) => needles.each(visit));
    this.markers = needles.markers;
    this.markerRisk = needles.markerRisk;
    this.plus = needles.plus;
  }

  redact(text: string): string {
    let t = text;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const r = this.pass(t);
      if (r === null) return t;
      t = r;
      if (!this.recheck) return t;
    }
    return t;
  }

  /** One scan of `t` and its decoded views: the masked text, or null when nothing changes. */
  private pass(t: string): string | null {
    const { matcher, cover } = this;
    cover.reset(t.length);
    this.json = this.percent = NO_VIEWS;
    // indexOf of one character is the engine's memchr: far cheaper than any other test.
    const breaks = t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0;
    matcher.scan(t, null, cover, 0, t.length, breaks);
    if (t.indexOf('\\') >= 0) this.json = jsonViews(t, matcher.longest);
    if (t.indexOf('%') >= 0 || (this.plus && t.indexOf('+') >= 0)) this.percent = percentViews(t, matcher.longest, this.plus);
    for (const v of this.json) matcher.scan(v.text, v, cover);
    for (const v of this.percent) matcher.scan(v.text, v, cover);
    return cover.empty ? null : this.mask(t);
  }

  /** `t` with the regions of the pass's matches masked; null when that changes nothing. */
  private mask(t: string): string | null {
    const { cover, regions, json, percent } = this;
    const decoded = json.length > 0 || percent.length > 0;
    cover.regions(regions);
    let out = '';
    let from = 0;
    let changed = false;
    let cut = false;
    for (let r = 0; r < regions.length; r += 3) {
      const start = regions[r] as number;
      const end = regions[r + 1] as number;
      const marker = this.markers[regions[r + 2] as number] as string;
      if (!changed && !(end - start === marker.length && t.startsWith(marker, start))) changed = true;
      if (!cut && decoded && !this.markerRisk && (cutIn(json, start) || cutIn(json, end) || cutIn(percent, start) || cutIn(percent, end))) cut = true;
      out += t.slice(from, start) + marker;
      from = end;
    }
    if (!changed) return null;
    this.recheck = this.markerRisk || cut;
    return out + t.slice(from);
  }

}

/**
 * What `redact()` looks for: the needles of one render. For each value used: its text (without
 * line breaks, as the scan reads it; also without leading blanks, which a line break before it
 * would swallow), each of its lines, and its base64 forms; for each output computed from secrets,
 * its text; and each marker `[REDACTED:name]`, so that a marker in the text masks to itself. The
 * encoded forms of a text (JSON escapes, percent-encoding) are not needles: the text's decoded
 * views are searched for the text itself (src/render/redact-views.ts).
 */
import type { Derived } from './evaluate.js';
import { isWellFormed } from './filters.js';
import { withoutBreaks } from './redact-automaton.js';

/** Needles shorter than this are not masked in isolation. */
export const MIN_MASKED = 4;
/** Base64 fragments of unaligned encodings must be at least this long to be distinctive. */
const MIN_FRAGMENT = 8;
/** What a redaction returns when it cannot redact (it never returns the text unredacted). */
export const UNREDACTABLE = '[REDACTED]';

const NAME_CHARS = /^[A-Za-z0-9_]*$/;
// A value can run into a marker `[REDACTED:name]` only through a `]` whose prefix could end one,
// a `[` whose suffix could start one, or a whole marker inside it.
const ENDS_LIKE_MARKER = /^[A-Za-z0-9_:[]*\]./s;
const STARTS_LIKE_MARKER = /.\[[A-Za-z0-9_:\]]*$/s;
const LEADING_BLANKS = /^[\t ]+/;
const LINES = /\r\n|\r|\n/;

interface Labelled {
  text: string;
  label: number;
  /** A secret's value (base64 forms too), or an output computed from secrets. */
  value: boolean;
}

/** The needles of one render, each with the index of its label (`markers[label]` is its mask). */
export class NeedleSet {
  /** The mask of each label, and last the mask of a failed redaction. */
  readonly markers: readonly string[];
  /** Some value could run into a marker: a masked text must be scanned once more. */
  readonly markerRisk: boolean;
  /** Some value holds a space, which form encoding writes as `+`. */
  readonly plus: boolean;
  /** There is something to mask. */
  readonly any: boolean;
  private readonly texts: Labelled[] = [];

  constructor(used: readonly { name: string; value: string }[], derived: readonly Derived[] | undefined) {
    const labels: string[] = [];
    const index = new Map<string, number>();
    const labelOf = (name: string): number => {
      let i = index.get(name);
      if (i === undefined) {
        i = labels.length;
        labels.push(name);
        index.set(name, i);
      }
      return i;
    };
    for (const { name, value } of used) this.texts.push({ text: value, label: labelOf(name), value: true });
    for (const d of derived ?? []) this.texts.push({ text: d.text, label: labelOf(d.name), value: false });
    const markers = labels.map((name) => `[REDACTED:${name}]`);
    markers.push(UNREDACTABLE);
    this.markers = markers;
    let risk = labels.some((name) => !NAME_CHARS.test(name));
    let plus = false;
    let any = false;
    for (const { text, value } of this.texts) {
      if (text.includes(' ')) plus = true;
      if (value && text.length > 0 && isWellFormed(text)) any = true;
      for (const form of textForms(text)) {
        if (form.length < MIN_MASKED) continue;
        any = true;
        if (!risk && (form.includes('[REDACTED') || ENDS_LIKE_MARKER.test(form) || STARTS_LIKE_MARKER.test(form))) risk = true;
      }
    }
    this.markerRisk = risk;
    this.plus = plus;
    this.any = any;
  }

  /** Calls `visit` with every needle and its label, the same ones in the same order each time. */
  each(visit: (needle: string, label: number) => void): void {
    for (const { text, label, value } of this.texts) {
      for (const form of textForms(text)) if (form.length >= MIN_MASKED) visit(form, label);
      if (value && isWellFormed(text)) base64Needles(text, label, visit);
    }
    this.markers.forEach((m, i) => visit(m, i));
  }
}

/** A text as the scan reads it (line breaks left out), without its leading blanks, and its lines. */
function textForms(text: string): string[] {
  const flat = withoutBreaks(text);
  const out = [flat];
  const c = flat.charCodeAt(0);
  if (c === 32 || c === 9) out.push(flat.replace(LEADING_BLANKS, ''));
  if (flat !== text) for (const line of text.split(LINES)) out.push(line.trim());
  return out;
}

/**
 * Standard base64 of the value's UTF-8 (padded and bare), and the part of base64(prefix + value)
 * that depends on the value alone for prefixes of 0, 1 and 2 bytes: a value at any position inside
 * a longer base64 text shows up as one of these. Each also in the URL-safe alphabet.
 */
function base64Needles(value: string, label: number, visit: (needle: string, label: number) => void): void {
  const bytes = Buffer.from(value, 'utf8');
  const b64 = bytes.toString('base64');
  const both = (form: string, min: number): void => {
    if (form.length < min) return;
    visit(form, label);
    if (form.indexOf('+') >= 0 || form.indexOf('/') >= 0) visit(form.replace(/\+/g, '-').replace(/\//g, '_'), label);
  };
  both(b64, MIN_MASKED);
  both(b64.replace(/=+$/, ''), MIN_MASKED);
  // Two zero bytes, then the value: from offset 2 - k it is base64(k bytes + value).
  const padded = Buffer.alloc(bytes.length + 2);
  bytes.copy(padded, 2);
  for (const k of [0, 1, 2]) {
    const total = k + bytes.length;
    const enc = k === 0 ? b64 : padded.toString('base64', 2 - k);
    // Chars of the first group hold prefix bits until bit 8k; char c covers bits [6c, 6c + 6).
    const from = k === 0 ? 0 : k === 1 ? 2 : 3;
    // The last, partial group: its chars are value-only while their bits end inside the data.
    const rest = total % 3;
    const to = Math.floor(total / 3) * 4 + (rest === 0 ? 0 : rest === 1 ? 1 : 2);
    both(enc.slice(from, to), MIN_FRAGMENT);
  }
}

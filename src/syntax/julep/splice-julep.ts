/**
 * Writes secret values into a Julep string so that Julep's evaluation of the result, with no
 * secrets at all, equals its evaluation of the original with the secrets (grammar/julep.md §3).
 * Only the splices change; every other character is kept, except two documented insertions: `$ `
 * before an implicit expression, and an empty field `{{""}}` that keeps a `{{` string a template.
 */
import { SecretrefError } from '../../errors.js';
import { fieldLiteral, pythonLiteral, textUnits, type TextUnit } from './encode-value.js';
import { isPythonSpace } from './python-space.js';
import type { JulepSplice, JulepString } from './types.js';

/** What a secret's value is, or undefined when the secret does not exist. */
export type ValueOf = (name: string) => string | undefined;

/** An element of the output: a character of the input, a character of a value, or fixed source (`of`: the value it encodes). */
type Cell = { kind: 'orig'; ch: string } | { kind: 'value'; unit: TextUnit; escape: boolean; of: Insertion } | { kind: 'fixed'; text: string; of?: Insertion };

/** The text one secret's value became at one place of the output. */
export interface Insertion {
  name: string;
  text: string;
}

/** A rendered Julep string and, for each value written into it, the exact text it became. */
export interface SplicedJulep {
  text: string;
  /** In output order; what a redactor must hide (a value's escaped form is not the value). */
  inserted: Insertion[];
}

/** An empty field: keeps a `{{` in a template string whose every `{{` a splice replaced. */
const TEMPLATE_GUARD = '{{""}}';

/**
 * `value` with every splice of `scan` replaced by its encoded value (or, for an optional reference
 * to an absent secret, its fallback). Byte-identical outside the splices. Refuses, with the
 * finding's code, a string whose scan has an error or a `REFERENCE_DYNAMIC` finding; no message
 * holds a value.
 */
export function spliceJulep(value: string, scan: JulepString, valueOf: ValueOf): string {
  return spliceJulepDetailed(value, scan, valueOf).text;
}

/** spliceJulep, also telling the exact text each value became in the output. */
export function spliceJulepDetailed(value: string, scan: JulepString, valueOf: ValueOf): SplicedJulep {
  const blocking = scan.findings.find((f) => f.severity === 'error' || f.code === 'REFERENCE_DYNAMIC');
  if (blocking) throw new SecretrefError(blocking.code, `This string cannot be rendered: ${blocking.message}`);
  if (scan.splices.length === 0) return { text: value, inserted: [] };
  for (const s of scan.splices) {
    const inside = 0 <= s.start && s.start <= s.refStart && s.refStart < s.refEnd && s.refEnd <= s.end && s.end <= value.length;
    if (!inside || !value.startsWith('secrets', s.refStart)) {
      throw new SecretrefError('INVALID_INPUT', 'The scan passed to spliceJulep was not made for this string (a splice falls outside its reference).');
    }
  }
  const sorted = [...scan.splices].sort((a, b) => a.start - b.start || b.end - a.end);
  const cells: Cell[] = [];
  if (scan.implicit) {
    pushOrig(cells, value, 0, scan.prefixAt);
    cells.push({ kind: 'fixed', text: '$ ' });
    build(cells, value, scan.prefixAt, value.length, sorted, valueOf);
  } else {
    build(cells, value, 0, value.length, sorted, valueOf);
  }
  if (scan.form !== 'expression') guardJulepRules(cells);
  let out = render(cells);
  if (scan.form === 'template' && !out.includes('{{')) {
    cells.splice(scan.prefixAt, 0, { kind: 'fixed', text: TEMPLATE_GUARD });
    out = render(cells);
  }
  const inserted: Insertion[] = [];
  for (const c of cells) {
    if (c.kind === 'orig' || !c.of) continue;
    if (inserted[inserted.length - 1] !== c.of) inserted.push(c.of);
    c.of.text += cellText(c);
  }
  return { text: out, inserted };
}

function pushOrig(cells: Cell[], value: string, from: number, to: number): void {
  for (let i = from; i < to; i++) cells.push({ kind: 'orig', ch: value[i] as string });
}

/** Appends [from, to) of `value` with the splices that lie in it applied. */
function build(cells: Cell[], value: string, from: number, to: number, splices: JulepSplice[], valueOf: ValueOf): void {
  let at = from;
  for (const s of splices) {
    if (s.start < at || s.end > to) continue; // nested in an earlier splice, or outside this range
    const v = valueOf(s.name);
    if (v === undefined) {
      if (!s.fallback) throw new SecretrefError('SECRET_NOT_FOUND', `Secret "${s.name}" has no value to render.`, { name: s.name });
      pushOrig(cells, value, at, s.refStart);
      if (s.fallback.kind === 'none') cells.push({ kind: 'fixed', text: 'None' });
      else {
        cells.push({ kind: 'fixed', text: '(' });
        const { start, end } = s.fallback;
        build(cells, value, start, end, splices.filter((x) => x.start >= start && x.end <= end), valueOf);
        cells.push({ kind: 'fixed', text: ')' });
      }
      at = s.refEnd;
      continue;
    }
    if (typeof v !== 'string') throw new SecretrefError('INVALID_INPUT', `The value of secret "${s.name}" is not a string.`, { name: s.name });
    pushOrig(cells, value, at, s.start);
    const of: Insertion = { name: s.name, text: '' };
    if (s.encoding === 'python-literal') cells.push({ kind: 'fixed', text: pythonLiteral(v), of });
    else if (s.encoding === 'field-literal') cells.push({ kind: 'fixed', text: fieldLiteral(v, s.quote ?? '"'), of });
    else {
      if (v === '') {
        // The field stays, holding an empty string: its neighbours keep their meaning.
        pushOrig(cells, value, s.start, s.refStart);
        cells.push({ kind: 'fixed', text: `${s.quote ?? '"'}${s.quote ?? '"'}` });
        pushOrig(cells, value, s.refEnd, s.end);
        at = s.end;
        continue;
      }
      // Python kept the lone backslash before `{` as text; written `\\` it stays text.
      if (s.danglingBackslash) cells.push({ kind: 'fixed', text: '\\\\' });
      const units = textUnits(v);
      units.forEach((unit, i) => {
        // A leading 0-7 would extend an octal escape (`\1`) that ends the text before the field.
        const octal = i === 0 && unit.ch >= '0' && unit.ch <= '7';
        cells.push({ kind: 'value', unit, escape: !unit.plain || octal, of });
      });
    }
    at = s.end;
  }
  pushOrig(cells, value, at, to);
}

const isOrigSpace = (c: Cell): boolean => c.kind === 'orig' && isPythonSpace(c.ch.charCodeAt(0));

/**
 * Keeps a string of the f-string or template form in that form (grammar/julep.md §3.4): Julep
 * strips the string and then looks at its first characters (`$ `, `_.`, `_[`, `[`), its last (`]`)
 * and at `inputs[` / `outputs[` anywhere. Value characters that would take part are escaped.
 */
function guardJulepRules(cells: Cell[]): void {
  // Julep strips the string: the first character it keeps must not come from a value unescaped.
  const first = cells.findIndex((c) => !isOrigSpace(c));
  const firstCell = cells[first];
  if (firstCell?.kind === 'value') firstCell.escape = true;
  else if (firstCell?.kind === 'orig' && (firstCell.ch === '$' || firstCell.ch === '_')) {
    const next = cells[first + 1];
    if (next?.kind === 'value') next.escape = true;
  }
  for (let i = cells.length - 1; i >= 0; i--) {
    const c = cells[i] as Cell;
    if (isOrigSpace(c)) continue;
    if (c.kind === 'value' && !c.escape && isPythonSpace(c.unit.ch.charCodeAt(0))) c.escape = true;
    break;
  }
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i] as Cell;
    if (c.kind !== 'orig' || c.ch !== '[') continue;
    for (const word of ['inputs', 'outputs']) {
      const from = i - word.length;
      if (from < 0) continue;
      const run = cells.slice(from, i);
      const spelled = run.every((x, k) => (x.kind === 'orig' ? x.ch : x.kind === 'value' && !x.escape ? x.unit.ch : '') === word[k]);
      if (spelled) for (const x of run) if (x.kind === 'value') x.escape = true;
    }
  }
}

function cellText(c: Cell): string {
  return c.kind === 'orig' ? c.ch : c.kind === 'fixed' ? c.text : c.escape ? c.unit.escaped : c.unit.ch;
}

function render(cells: Cell[]): string {
  let out = '';
  for (const c of cells) out += cellText(c);
  return out;
}

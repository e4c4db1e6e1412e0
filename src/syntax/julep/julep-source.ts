/**
 * The Python source Julep evaluates for a string value, and the way back from its offsets to the
 * value's (grammar/julep.md §1). Julep (agents-api, `backwards_compatibility` then
 * `_recursive_evaluate`) strips the string, then takes the first rule that matches:
 * `$ …` is an expression; a string containing `{{` becomes `f'''…'''` with `{{`→`{`, `}}`→`}`;
 * `[…]`, `_[…]`, `_.…`, anything containing `inputs[`/`outputs[`, or `_` is an expression too;
 * every other string is the f-string `f'''…'''`.
 */
import { stripBounds } from './python-space.js';
import type { JulepForm } from './types.js';

export interface JulepSource {
  form: JulepForm;
  /** An expression by Julep's implicit rule (no `$ `). */
  implicit: boolean;
  /** First non-space index of the value. */
  prefixAt: number;
  /** What simpleeval parses. */
  python: string;
  /** The value index of `python[i]` (a start offset). */
  toValue(i: number): number;
  /** The value index just after `python[i - 1]` (an exclusive end offset). */
  toValueEnd(i: number): number;
}

const WRAP = "f'''";

/** True when Julep treats the stripped string `t` as an expression although it has no `$ `. */
export function isImplicitExpression(t: string): boolean {
  return (
    (t.startsWith('[') && t.endsWith(']')) ||
    (t.startsWith('_[') && t.endsWith(']')) ||
    t.startsWith('_.') ||
    t.includes('outputs[') ||
    t.includes('inputs[') ||
    t === '_'
  );
}

/** How Julep reads `value`. */
export function julepSource(value: string): JulepSource {
  const [lo, hi] = stripBounds(value);
  const t = value.slice(lo, hi);
  if (t.startsWith('$ ')) {
    const [a, b] = stripBounds(value, lo + 1, hi);
    return linear('expression', false, lo, value.slice(a, b), a);
  }
  if (t.includes('{{')) return template(t, lo, hi);
  if (isImplicitExpression(t)) return linear('expression', true, lo, t, lo);
  const python = `${WRAP}${t}'''`;
  const clamp = (i: number): number => Math.min(hi, Math.max(lo, lo + i - WRAP.length));
  return { form: 'fstring', implicit: false, prefixAt: lo, python, toValue: clamp, toValueEnd: clamp };
}

function linear(form: JulepForm, implicit: boolean, prefixAt: number, python: string, at: number): JulepSource {
  const map = (i: number): number => at + Math.min(python.length, Math.max(0, i));
  return { form, implicit, prefixAt, python, toValue: map, toValueEnd: map };
}

/** Julep's `replace('{{', '{').replace('}}', '}')`, one unit per output character. */
function template(t: string, lo: number, hi: number): JulepSource {
  let out = '';
  const starts: number[] = [];
  const lens: number[] = [];
  for (let i = 0; i < t.length; ) {
    const pair = (t[i] === '{' || t[i] === '}') && t[i + 1] === t[i];
    out += t[i];
    starts.push(lo + i);
    lens.push(pair ? 2 : 1);
    i += pair ? 2 : 1;
  }
  const n = starts.length;
  const toValue = (i: number): number => {
    const k = i - WRAP.length;
    if (k <= 0) return lo;
    return k >= n ? hi : (starts[k] as number);
  };
  const toValueEnd = (i: number): number => {
    const k = i - WRAP.length;
    if (k <= 0) return lo;
    return k > n ? hi : (starts[k - 1] as number) + (lens[k - 1] as number);
  };
  return { form: 'template', implicit: false, prefixAt: lo, python: `${WRAP}${out}'''`, toValue, toValueEnd };
}

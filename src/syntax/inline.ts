/**
 * The inline scanner: `$secrets.NAME` and `${secrets.NAME}` inside any string, with `$$` before
 * a reference as its escape (`$$secrets.x` is the text `$secrets.x`). No other `$` is touched.
 */
import { clip } from '../errors.js';
import type { Segment } from './ir.js';
import { Findings } from './finding.js';
import { nameProblem, suggestName } from './names.js';

const NAME_AT = /[A-Za-z0-9_]*/y;
const BRACED = /\$\{\s*secrets\b/y;

/** True when `value` contains something the inline scanner acts on. Cheap; used to classify. */
export function hasInlineMarker(value: string): boolean {
  return value.includes('$secrets') || /\$\{\s*secrets\b/.test(value);
}

/** Scans `value` into text and reference segments. */
export function scanInline(value: string, f: Findings): Segment[] {
  const out: Segment[] = [];
  let text = '';
  let from = 0; // start of raw text not yet copied into `text`
  let i = 0; // where the next `$` is searched
  for (;;) {
    const d = value.indexOf('$', i);
    if (d === -1) break;
    // `$$` before anything the scanner acts on makes it text, malformed or not: there must be a
    // way to write `${secrets.my-key}` literally. Its problems go to a scratch collector.
    const escaped = d > from && value[d - 1] === '$';
    const hit = matchAt(value, d, escaped ? new Findings(f.vars, f.value) : f);
    if (!hit) {
      i = d + 1;
      continue;
    }
    if (escaped) {
      // `$$secrets.x`: drop one `$`, keep the reference as text.
      text += value.slice(from, d - 1) + value.slice(d, hit.end);
    } else if (hit.name !== undefined) {
      text += value.slice(from, d);
      if (text) out.push({ type: 'text', value: text });
      text = '';
      f.refs.push({ name: hit.name, start: d, end: hit.end, optional: false });
      out.push({ type: 'output', expr: { type: 'ref', name: hit.name, start: d, end: hit.end }, context: 'text', start: d, end: hit.end });
    } else {
      text += value.slice(from, hit.end);
    }
    from = i = hit.end;
  }
  text += value.slice(from);
  if (text) out.push({ type: 'text', value: text });
  return out;
}

interface Hit {
  end: number;
  name?: string;
  error?: true;
}

/** What the `$` at `d` starts: a reference, a malformed one (reported), or nothing (undefined). */
function matchAt(s: string, d: number, f: Findings): Hit | undefined {
  if (s.startsWith('$secrets', d)) {
    const after = d + 8;
    const c = s[after];
    if (c === '.') return named(s, d, after + 1, false, f);
    if (c === '[') {
      const close = s.indexOf(']', after);
      const end = close === -1 ? s.length : close + 1;
      const inner = s.slice(after + 1, close === -1 ? s.length : close).trim();
      const lit = /^(["'])([^"']*)\1$/.exec(inner);
      if (lit) f.problem('REFERENCE_SYNTAX', 'Inline references are written $secrets.NAME (brackets need an expression: "$ secrets[\'NAME\']").', d, end, `$secrets.${lit[2]}`);
      else f.problem('REFERENCE_DYNAMIC', 'Secret names must be literal so they can be resolved in one batch and linted: write $secrets.NAME.', d, end);
      return { end, error: true };
    }
    return undefined; // `$secrets` followed by anything else is text
  }
  if (s[d + 1] !== '{') return undefined;
  BRACED.lastIndex = d;
  if (!BRACED.test(s)) return undefined;
  let i = BRACED.lastIndex;
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (s[i] === '.') {
    // Inside braces blanks are insignificant on both sides of the dot: `${ secrets . a }`.
    let from = i + 1;
    while (s[from] === ' ' || s[from] === '\t') from++;
    const hit = named(s, d, from, true, f);
    if (hit.error) return hit;
    let j = hit.end;
    while (s[j] === ' ' || s[j] === '\t') j++;
    if (s[j] !== '}') {
      const close = s.indexOf('}', j);
      const end = close === -1 ? s.length : close + 1;
      f.problem('REFERENCE_SYNTAX', 'An inline reference ${secrets.NAME} holds only the name; use an expression or a template for anything more.', d, end);
      return { end, error: true };
    }
    return { end: j + 1, name: hit.name as string };
  }
  const close = s.indexOf('}', i);
  const end = close === -1 ? s.length : close + 1;
  if (s[i] === '[') f.problem('REFERENCE_DYNAMIC', 'Secret names must be literal: write ${secrets.NAME}.', d, end);
  else f.problem('REFERENCE_SYNTAX', 'Expected ${secrets.NAME}.', d, end);
  return { end, error: true };
}

function named(s: string, d: number, from: number, braced: boolean, f: Findings): Hit {
  NAME_AT.lastIndex = from;
  const name = (NAME_AT.exec(s) as RegExpExecArray)[0];
  let end = from + name.length;
  // A name runs into a `-` or other character the rule forbids only inside braces.
  if (braced) {
    const close = s.indexOf('}', end);
    const raw = close === -1 ? '' : s.slice(from, close).trim();
    if (raw !== name && close !== -1 && !/\s/.test(raw)) {
      const bad = nameProblem(raw);
      f.problem('INVALID_NAME', `Invalid secret name "${clip(raw)}": ${bad ?? 'not a name'}.`, d, close + 1, suggestName(raw) && `\${secrets.${suggestName(raw)}}`);
      return { end: close + 1, error: true };
    }
  }
  if (name === '') {
    f.problem('REFERENCE_SYNTAX', 'Expected a secret name after "secrets.".', d, Math.max(end, d + 9));
    return { end: Math.max(end, from), error: true };
  }
  const bad = nameProblem(name);
  if (bad) {
    const sug = suggestName(name);
    f.problem('INVALID_NAME', `Invalid secret name "${clip(name)}": ${bad}.`, d, end, sug && `$secrets.${sug}`);
    return { end, error: true };
  }
  return { end, name };
}

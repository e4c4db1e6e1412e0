/**
 * One Julep string value in one pass: how Julep evaluates it, its static secret references, where
 * each value goes, and what lint should say. A string that does not mention `secrets` is the
 * platform's and is not looked at.
 */
import { LRUCache } from 'lru-cache';
import { INTERNAL_LIMITS, LIMITS } from '../../limits.js';
import { findSecretUses, type RawFinding } from './find-secret-uses.js';
import { julepSource, type JulepSource } from './julep-source.js';
import { parsePython } from './parse-python.js';
import { textFindings } from './text-findings.js';
import type { JulepFinding, JulepRef, JulepSplice, JulepString } from './types.js';

/** The test Julep's own corpus check uses for "mentions secrets". */
const MENTIONS_SECRETS = /\bsecrets\b/;

/** null when `value` does not mention `secrets`: it is the platform's, never an error, never altered. */
export function scanJulep(value: string): JulepString | null {
  if (!MENTIONS_SECRETS.test(value)) return null;
  const hit = memo.get(value);
  if (hit) return hit;
  const scanned = deepFreeze(scanUncached(value));
  if (value.length <= INTERNAL_LIMITS.compileMemoMaxChars) memo.set(value, scanned);
  return scanned;
}

/** A scan is shared by every caller that scans the same string: frozen, so none can change it for the others. */
function deepFreeze(s: JulepString): JulepString {
  for (const list of [s.refs, s.splices, s.findings]) {
    for (const x of list) {
      if ('fallback' in x && x.fallback) Object.freeze(x.fallback);
      Object.freeze(x);
    }
    Object.freeze(list);
  }
  return Object.freeze(s);
}

// Definitions repeat the same strings (`$ f'Bearer {secrets.api_key}'`) across files.
const memo = new LRUCache<string, JulepString>({ max: INTERNAL_LIMITS.compileMemoEntries });

const PARSE_ERROR: Record<JulepString['form'], string> = {
  expression: 'Python cannot parse this expression, so Julep cannot evaluate it.',
  template: "Julep evaluates this `{{` string as the f-string f'''…''' (with `{{` → `{`, `}}` → `}`) and Python cannot parse it.",
  fstring: "Julep evaluates this string as the f-string f'''…''' and Python cannot parse it (look for `'''`, a trailing `'` or `\\`, or an unmatched brace).",
};

function scanUncached(value: string): JulepString {
  const src = julepSource(value);
  const out = { form: src.form, implicit: src.implicit, prefixAt: src.prefixAt, refs: [] as JulepRef[], splices: [] as JulepSplice[], findings: [] as JulepFinding[] };
  if (value.length > LIMITS.maxTemplateLength) {
    out.findings.push({
      code: 'LIMIT_EXCEEDED',
      severity: 'error',
      message: `A string that mentions secrets is ${value.length} characters; the limit is ${LIMITS.maxTemplateLength} (maxTemplateLength).`,
      start: 0,
      end: Math.min(1, value.length),
    });
    return out;
  }
  const parsed = parsePython(src.python);
  const uses = findSecretUses(parsed.tree, src.python, parsed.danglingBackslashes);
  const raw: RawFinding[] = [...uses.findings, ...textFindings(parsed.tree, src.python, src.form)];
  if (parsed.errorAt !== undefined) {
    const at = Math.min(parsed.errorAt, src.python.length - 1);
    raw.push({ code: 'REFERENCE_SYNTAX', severity: 'error', message: PARSE_ERROR[src.form], from: at, to: at + 1 });
  }
  for (const r of uses.refs) {
    const start = src.toValue(r.from);
    const end = src.toValueEnd(r.to);
    out.refs.push({ name: r.name, start, end, optional: r.optional } satisfies JulepRef);
    if (r.encoding === undefined) continue;
    const fallback: JulepSplice['fallback'] = !r.optional
      ? undefined
      : r.defaultSpan
        ? { kind: 'default', start: src.toValue(r.defaultSpan[0]), end: src.toValueEnd(r.defaultSpan[1]) }
        : { kind: 'none' };
    const splice: JulepSplice = { name: r.name, start, end, refStart: start, refEnd: end, encoding: r.encoding };
    if (r.field) {
      splice.start = src.toValue(r.field[0]) - (r.danglingBackslash ? 1 : 0);
      splice.end = src.toValueEnd(r.field[1]);
      if (r.danglingBackslash) splice.danglingBackslash = true;
      if (src.python[r.field[0] - 1] === '$' && !r.danglingBackslash) raw.push(dollarBeforeField(r.name, r.field, src));
    }
    if (r.quote) splice.quote = r.quote;
    if (fallback) splice.fallback = fallback;
    out.splices.push(splice);
  }
  for (const f of raw) out.findings.push(mapFinding(f, src));
  const byStart = (a: { start: number }, b: { start: number }): number => a.start - b.start;
  out.refs.sort(byStart);
  out.splices.sort(byStart);
  out.findings.sort(byStart);
  return out;
}

function dollarBeforeField(name: string, field: [number, number], src: JulepSource): RawFinding {
  const ref = src.form === 'template' ? `{{ secrets.${name} }}` : `{secrets.${name}}`;
  return {
    code: 'REFERENCE_SYNTAX',
    severity: 'warning',
    message: `The \`$\` before this field stays in Julep's output, in front of the secret's value; a reference is written \`${ref}\`.`,
    from: field[0] - 1,
    to: field[1],
    suggestion: ref,
  };
}

function mapFinding(f: RawFinding, src: JulepSource): JulepFinding {
  const start = src.toValue(f.from);
  const end = Math.max(start, src.toValueEnd(f.to));
  return { code: f.code, severity: f.severity, message: f.message, start, end, ...(f.suggestion !== undefined ? { suggestion: f.suggestion } : {}) };
}

/**
 * A Julep string as the pipeline's CompiledString: its references, its error findings as
 * problems (they stop a compile), its warnings apart (lint shows them; a render goes on), and a
 * `julep` program that the renderer evaluates by splicing values (spliceJulep).
 */
import type { CompiledString } from '../compile-string.js';
import type { Finding } from '../finding.js';
import { scanJulep } from './scan-julep.js';
import type { JulepFinding } from './types.js';

/**
 * A computed name (`secrets[tenant + '_key']`, `secrets.get(name)`) looks up one secret that the
 * platform resolves at step time: a warning, and a render leaves it to Julep. Any other use of
 * `secrets` as a whole (`{secrets}`, `secrets.items()`, iterating it) hands every secret of the
 * developer to the expression: an error.
 */
export function isComputedName(value: string, f: JulepFinding): boolean {
  return f.code === 'REFERENCE_DYNAMIC' && /^secrets\s*(?:\[|\.\s*get\s*\()/.test(value.slice(f.start, f.end));
}

/** null for a string that does not mention `secrets`: the platform's, never an error, never altered. */
export function compileJulepString(value: string): CompiledString | null {
  const scan = scanJulep(value);
  if (!scan) return null;
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  for (const f of scan.findings) {
    const finding: Finding = { code: f.code, message: f.message, start: f.start, end: f.end, ...(f.suggestion !== undefined ? { suggestion: f.suggestion } : {}) };
    const whole = f.code === 'REFERENCE_DYNAMIC' && !isComputedName(value, f);
    if (whole) finding.message = `This uses every secret of the developer at once (${f.message.replace(/\.$/, '')}); name each secret: secrets.NAME.`;
    (f.severity === 'error' || whole ? problems : warnings).push(finding);
  }
  const out: CompiledString = { form: scan.form, program: { form: scan.form, kind: 'julep', value, scan }, refs: scan.refs.map((r) => ({ ...r })), problems };
  if (warnings.length > 0) out.warnings = warnings;
  return out;
}

/**
 * Rendering a Julep string (grammar/julep.md §3): the string as written, with each static
 * reference's value spliced in by spliceJulep, encoded so that Julep's own evaluation of the
 * output yields the value once, as data. A required secret that is absent is SECRET_NOT_FOUND
 * (reported with the others); an optional one (`secrets.get`) takes its fallback. A computed name
 * (`secrets[x]`) is left for the platform, which resolves it at step time (a warning at compile).
 */
import { SecretrefError } from '../errors.js';
import { fieldLiteral, textUnits } from '../syntax/julep/encode-value.js';
import { spliceJulep } from '../syntax/julep/splice-julep.js';
import type { JulepString } from '../syntax/julep/types.js';
import { Missing, reportMissing, type RenderState, type SiteEnv, type StringFn } from './evaluate.js';

export function compileJulep(value: string, scan: JulepString, env: SiteEnv): StringFn {
  // Computed names are the platform's to resolve; everything else must splice.
  const renderable: JulepString = { ...scan, findings: scan.findings.filter((f) => f.code !== 'REFERENCE_DYNAMIC') };
  const required = scan.refs.filter((r) => !r.optional).map((r) => ({ idx: env.nameIndex.get(r.name) as number, missing: new Missing([{ kind: 'secret', name: r.name, site: env.site, start: r.start, end: r.end }]) }));
  const splices = scan.splices.map((s) => ({ ...s, idx: env.nameIndex.get(s.name) as number }));
  return (st: RenderState) => {
    let absent = false;
    for (const r of required) {
      if (st.values[r.idx] === undefined) {
        reportMissing(st, r.missing);
        absent = true;
      }
    }
    if (absent) return '';
    let out: string;
    try {
      out = spliceJulep(value, renderable, (name) => st.values[env.nameIndex.get(name) as number]);
    } catch (e) {
      if (!(e instanceof SecretrefError)) throw e;
      (st.issues ??= []).push({ code: 'INVALID_INPUT', message: e.message, site: env.site, start: 0, end: value.length });
      return '';
    }
    // The encoded forms of each value are what appears in the output: redact those too.
    for (const s of splices) {
      const v = st.values[s.idx];
      if (v === undefined || v.length === 0) continue;
      const escaped = textUnits(v).map((u) => (u.plain ? u.ch : u.escaped)).join('');
      if (escaped !== v) (st.derived ??= []).push({ text: escaped, name: s.name });
      if (s.encoding === 'field-literal') (st.derived ??= []).push({ text: fieldLiteral(v, s.quote ?? "'"), name: s.name });
    }
    return out;
  };
}

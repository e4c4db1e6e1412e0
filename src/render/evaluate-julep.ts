/**
 * Rendering a Julep string (grammar/julep.md §3): the string as written, with each static
 * reference's value spliced in by spliceJulep, encoded so that Julep's own evaluation of the
 * output yields the value once, as data. A required secret that is absent is SECRET_NOT_FOUND
 * (reported with the others); an optional one (`secrets.get`) takes its fallback. A computed name
 * (`secrets[x]`) is left for the platform, which resolves it at step time (a warning at compile).
 */
import { SecretrefError } from '../errors.js';
import { isComputedName } from '../syntax/julep/compile-julep.js';
import { spliceJulepDetailed } from '../syntax/julep/splice-julep.js';
import type { JulepString } from '../syntax/julep/types.js';
import { Missing, reportMissing, type RenderState, type SiteEnv, type StringFn } from './evaluate.js';

export function compileJulep(value: string, scan: JulepString, env: SiteEnv): StringFn {
  // Computed names are the platform's to resolve; everything else must splice.
  const renderable: JulepString = { ...scan, findings: scan.findings.filter((f) => !isComputedName(value, f)) };
  const required = scan.refs.filter((r) => !r.optional).map((r) => ({ idx: env.nameIndex.get(r.name) as number, missing: new Missing([{ kind: 'secret', name: r.name, site: env.site, start: r.start, end: r.end }]) }));
  return (st: RenderState) => {
    let absent = false;
    for (const r of required) {
      if (st.values[r.idx] === undefined) {
        reportMissing(st, r.missing);
        absent = true;
      }
    }
    if (absent) return '';
    let out: ReturnType<typeof spliceJulepDetailed>;
    try {
      out = spliceJulepDetailed(value, renderable, (name) => st.values[env.nameIndex.get(name) as number]);
    } catch (e) {
      if (!(e instanceof SecretrefError)) throw e;
      (st.issues ??= []).push({ code: 'INVALID_INPUT', message: e.message, site: env.site, start: 0, end: value.length });
      return '';
    }
    // What each value became in the output (escaped, quoted) is what a log shows: redact that too.
    for (const ins of out.inserted) if (ins.text.length > 0) (st.derived ??= []).push({ text: ins.text, name: ins.name });
    return out.text;
  };
}

/**
 * `compile(definition)`: parse and check once (all problems in one error), then turn every
 * string site into closures and the document into a clone plan, so each render only evaluates.
 */
import { SecretrefError, type Problem } from '../errors.js';
import { LIMITS } from '../limits.js';
import { analyzeSource, analyzeValue, type AnalyzedDocument, type Site } from '../syntax/document.js';
import type { LineIndex } from '../syntax/line-index.js';
import type { Reference } from '../syntax/reference.js';
import { suggestNames } from '../resolve/suggest.js';
import { addSite, buildPlan, type Builder, type SiteTrie } from './build-plan.js';
import { compileSegments, compileValue, type Derived, type Issue, type RenderState } from './evaluate.js';
import { hostsByName } from './hosts.js';
import { makeRedactor } from './redact.js';
import { concreteName, readSecret, secretNames } from './secrets-input.js';
import type { CompileOptions, CompiledDefinition, PlanEntry, Rendered, RenderWithSecretsOptions, SecretsInput, VarValue } from './types.js';

/** Values this short cannot exceed maxSecretValueBytes (3 UTF-8 bytes per UTF-16 unit at most). */
const FAST_VALUE_LENGTH = Math.floor(LIMITS.maxSecretValueBytes / 3);
const NO_VARS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

/** Metadata of one resolved name, for the plan. */
export interface EntryMeta {
  secret: string;
  version: number | null;
  updatedAt: Date | null;
  expiresAt: Date | null;
  keyId: string | null;
}

/** One render's inputs after resolution, by name index. */
export interface Resolution {
  values: (string | undefined)[];
  /** Store metadata (resolver renders). */
  meta?: (EntryMeta | undefined)[];
  /** Concrete names when an environment overlay applied (renders with values in hand). */
  concrete?: string[];
  problems: Problem[];
}

/** A compiled definition. Public surface: CompiledDefinition; the rest serves `render()`. */
export class Compiled implements CompiledDefinition {
  readonly references: readonly Reference[];
  readonly names: readonly string[];
  readonly tool: string | undefined;
  readonly hosts: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly root: Builder;
  private readonly sites: readonly Site[];
  private readonly lines: LineIndex | undefined;
  private readonly filename: string | undefined;
  private readonly varNames: readonly string[];
  /** Own properties named like the references, read from a plain object (see ownReader). */
  private readonly readOwn: (secrets: Readonly<Record<string, unknown>>) => unknown[];

  constructor(doc: AnalyzedDocument, varNames: readonly string[]) {
    this.filename = doc.filename;
    this.lines = doc.lines;
    this.sites = doc.sites;
    this.varNames = varNames;
    this.references = deepFreeze(doc.references);
    const names = [...new Set(doc.references.map((r) => r.name))];
    this.names = Object.freeze(names);
    this.readOwn = ownReader(names);
    const nameIndex = new Map(names.map((n, i) => [n, i]));
    const trie: SiteTrie = {};
    doc.sites.forEach((s, site) => {
      const env = { site, nameIndex };
      const p = s.compiled.program;
      addSite(trie, s.keys, p.kind === 'value' ? compileValue(p.expr, env) : compileSegments(p.segments, env));
    });
    this.root = buildPlan(doc.value, trie);
    this.tool = toolName(doc.value, doc.sites);
    this.hosts = hostsByName(doc.value, doc.sites);
  }

  render(secrets: SecretsInput, options: RenderWithSecretsOptions = {}): Rendered {
    if (secrets === null || typeof secrets !== 'object') throw new SecretrefError('INVALID_INPUT', 'secrets must be a Map or a plain object of name → value.');
    const isMap = secrets instanceof Map;
    const names = this.names;
    const env = options.environment;
    // A plain record is read by the compiled reader straight into the values array (checked below).
    const raw = !isMap && !env && isPlain(secrets) ? this.readOwn(secrets as Readonly<Record<string, unknown>>) : undefined;
    const res: Resolution = { values: (raw as (string | undefined)[] | undefined) ?? new Array<string | undefined>(names.length), problems: [] };
    if (env) res.concrete = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      let v: unknown;
      if (raw) v = raw[i];
      else {
        const key = env ? concreteName(secrets, isMap, name, env) : name;
        if (res.concrete) res.concrete[i] = key;
        v = readSecret(secrets, isMap, key);
      }
      if (v === undefined) continue;
      res.values[i] = typeof v === 'string' && v.length <= FAST_VALUE_LENGTH ? v : this.checkValue(name, v, res.problems);
    }
    const out = this.run(res, options.vars);
    if (out.problems.length > 0) {
      const existing = secretNames(secrets);
      throw this.error(withSuggestions(out.problems, (n) => suggestNames(n, existing)));
    }
    return this.result(out.value, res, out.derived, options.plan === true);
  }

  /**
   * A value from the caller or the resolver: a string within the size limit. Otherwise a problem
   * is recorded and '' stands in (the render fails anyway; the name is not also reported missing).
   */
  checkValue(name: string, v: unknown, problems: Problem[]): string {
    if (typeof v !== 'string') {
      problems.push(...this.atReferences(name, 'INVALID_INPUT', `The value of secret "${name}" is not a string.`));
      return '';
    }
    if (v.length > LIMITS.maxSecretValueBytes / 3 && Buffer.byteLength(v, 'utf8') > LIMITS.maxSecretValueBytes) {
      problems.push(...this.atReferences(name, 'LIMIT_EXCEEDED', `The value of secret "${name}" is larger than ${LIMITS.maxSecretValueBytes} bytes (maxSecretValueBytes).`));
      return '';
    }
    return v;
  }

  /** One problem per reference to `name`, each with its path and range. */
  atReferences(name: string, code: Problem['code'], message: string, suggestion?: string): Problem[] {
    return this.references
      .filter((r) => r.name === name)
      .map((r) => ({ code, message, path: r.path, name, ...(r.range ? { range: r.range } : {}), ...(suggestion ? { suggestion } : {}) }));
  }

  /** Evaluates the definition; problems carry paths and ranges. */
  run(res: Resolution, vars: Readonly<Record<string, VarValue>> | undefined): { value: unknown; problems: Problem[]; derived: Derived[] | undefined } {
    const problems = res.problems.slice();
    const st: RenderState = { values: res.values, vars: this.checkVars(vars, problems), issues: undefined, derived: undefined };
    const value = this.root(st);
    if (st.issues) problems.push(...this.issueProblems(st.issues));
    return { value, problems, derived: st.derived };
  }

  private checkVars(vars: Readonly<Record<string, VarValue>> | undefined, problems: Problem[]): Readonly<Record<string, unknown>> {
    if (vars === undefined) return NO_VARS;
    if (vars === null || typeof vars !== 'object') {
      problems.push({ code: 'INVALID_INPUT', message: 'vars must be a plain object of name → string, number, boolean or null.' });
      return NO_VARS;
    }
    for (const name of this.varNames) {
      if (!Object.prototype.hasOwnProperty.call(vars, name)) continue;
      const v: unknown = vars[name];
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        problems.push({ code: 'INVALID_INPUT', message: `Variable "${name}" must be a string, number, boolean or null.`, name });
      }
    }
    return vars;
  }

  private issueProblems(issues: readonly Issue[]): Problem[] {
    const seen = new Set<string>();
    const out: Problem[] = [];
    for (const i of issues) {
      const key = `${i.code}\u0000${i.site}\u0000${i.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const site = this.sites[i.site] as Site;
      const p: Problem = { code: i.code, message: i.message, path: site.path };
      if (i.name !== undefined) p.name = i.name;
      if (site.offsets && this.lines) {
        // The syntax layer widens some references (`$secrets.x` as a whole string includes its `$`).
        const ref = i.name === undefined ? undefined : site.compiled.refs.find((r) => r.name === i.name && r.end === i.end);
        const s = site.offsets(ref ? ref.start : i.start);
        const e = site.offsets(i.end);
        p.offset = [s, e];
        p.range = this.lines.range(s, e);
      }
      out.push(p);
    }
    return out;
  }

  error(problems: readonly Problem[]): SecretrefError {
    return SecretrefError.fromProblems(problems, this.filename);
  }

  /** The result object: fresh value, frozen references, a lazy redactor, the plan if asked. */
  result(value: unknown, res: Resolution, derived: Derived[] | undefined, plan: boolean): Rendered {
    const out: Rendered = { value, references: this.references, redact: makeRedactor(this.names, res.values, derived) };
    if (plan) out.plan = this.plan(res);
    return out;
  }

  private plan(res: Resolution): PlanEntry[] {
    const index = new Map(this.names.map((n, i) => [n, i]));
    return this.references.map((r) => {
      const i = index.get(r.name) as number;
      const m = res.meta?.[i];
      const present = res.values[i] !== undefined;
      const e: PlanEntry = {
        reference: r.name,
        secret: m?.secret ?? (present ? (res.concrete?.[i] ?? r.name) : null),
        path: r.path,
        version: m?.version ?? null,
        updatedAt: m?.updatedAt ?? null,
        expiresAt: m?.expiresAt ?? null,
        keyId: m?.keyId ?? null,
      };
      if (r.range) e.range = r.range;
      return e;
    });
  }
}

/** A record whose lookups end at Object.prototype (or nowhere): what ownReader can read. */
function isPlain(secrets: object): boolean {
  const proto: unknown = Object.getPrototypeOf(secrets);
  return proto === Object.prototype || proto === null;
}

/**
 * A reader of `names` for plain records. Own properties only, as in readSecret: a value found that
 * is not the one Object.prototype holds under that key is own; only an equal one (a polluted
 * prototype, or a coincidence) pays the hasOwnProperty check. No code is generated: the renderer
 * never uses `Function` (a compiled reader with constant keys was ~20% faster; the issue rules it
 * out, and so do we).
 */
function ownReader(names: readonly string[]): (secrets: Readonly<Record<string, unknown>>) => unknown[] {
  const has = Object.prototype.hasOwnProperty;
  const proto = Object.prototype as unknown as Readonly<Record<string, unknown>>;
  return (s) => {
    const out = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const k = names[i] as string;
      const v = s[k];
      out[i] = v !== undefined && v === proto[k] && !has.call(s, k) ? undefined : v;
    }
    return out;
  };
}

/** Adds "did you mean" to every SECRET_NOT_FOUND (names only). */
export function withSuggestions(problems: readonly Problem[], suggest: (name: string) => readonly string[]): Problem[] {
  return problems.map((p) => {
    if (p.code !== 'SECRET_NOT_FOUND' || p.name === undefined || p.suggestion !== undefined) return p;
    const best = suggest(p.name)[0];
    return best === undefined ? p : { ...p, suggestion: best };
  });
}

/** The top-level `name` of a definition, when it is a plain string (no references). */
function toolName(value: unknown, sites: readonly Site[]): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(value, 'name')) return undefined;
  const name = (value as Record<string, unknown>).name;
  if (typeof name !== 'string' || sites.some((s) => s.path === '/name')) return undefined;
  return name;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Analyses and checks a definition without caching; throws one error with every problem. */
export function compileUncached(definition: unknown, options: CompileOptions = {}): Compiled {
  const vars = options.vars ?? [];
  const analyzeOptions = { vars, ...(options.filename !== undefined ? { filename: options.filename } : {}) };
  const doc = typeof definition === 'string' ? analyzeSource(definition, analyzeOptions) : analyzeValue(definition, analyzeOptions);
  if (doc.problems.length > 0) throw SecretrefError.fromProblems(doc.problems, options.filename);
  return new Compiled(doc, vars);
}

/**
 * `render(definition, { resolver | secrets, vars, tool })`: compile (cached), resolve every
 * distinct name in one `resolver.resolve()` call, evaluate, and report every problem of the
 * render together. Nothing partial is ever returned.
 */
import { SecretrefError, type Problem } from '../errors.js';
import type { ResolveRequest, SecretSource } from '../resolve/types.js';
import { compileCached } from './cache.js';
import { withSuggestions, type Compiled, type Resolution } from './compile.js';
import type { CompileOptions, CompiledDefinition, Rendered, RenderOptions } from './types.js';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Compiles a definition (object, or JSON/YAML source text) once; later calls with the same object
 * or text reuse the compilation. Throws one SecretrefError listing every problem found.
 */
export function compile(definition: unknown, options: CompileOptions = {}): CompiledDefinition {
  return compileCached(definition, options);
}

/**
 * Renders a definition with values from a resolver (one batched call) or in hand. Rejects with
 * one SecretrefError listing every problem (each missing name with a suggestion when one is close).
 */
export async function render(definition: unknown, options: RenderOptions = {}): Promise<Rendered> {
  const { resolver, secrets } = options;
  if (resolver !== undefined && secrets !== undefined) throw new SecretrefError('INVALID_INPUT', 'Pass either resolver or secrets to render(), not both.');
  const compileOptions: CompileOptions = {};
  if (options.filename !== undefined) compileOptions.filename = options.filename;
  if (options.vars !== undefined && options.vars !== null && typeof options.vars === 'object') compileOptions.vars = Object.keys(options.vars);
  const compiled = compileCached(definition, compileOptions);
  if (resolver === undefined) {
    if (secrets === undefined && compiled.names.length > 0) {
      throw new SecretrefError('INVALID_INPUT', 'This definition references secrets: pass a resolver (createResolver) or a secrets map to render().');
    }
    return compiled.render(secrets ?? EMPTY, options);
  }
  if (options.environment !== undefined) {
    throw new SecretrefError('INVALID_INPUT', 'With a resolver, set the environment on the resolver (createResolver(store, { environment })), not on render().');
  }
  return renderWithResolver(compiled, resolver, options);
}

async function renderWithResolver(compiled: Compiled, resolver: SecretSource, options: RenderOptions): Promise<Rendered> {
  const res: Resolution = { values: [], meta: [], problems: [] };
  const meta = res.meta as NonNullable<Resolution['meta']>;
  const names = compiled.names;
  if (names.length > 0) {
    const request: ResolveRequest = { names, hosts: compiled.hosts };
    const tool = options.tool ?? compiled.tool;
    if (tool !== undefined) request.tool = tool;
    const outcome = await resolver.resolve(request);
    names.forEach((name, i) => {
      const entry = outcome.values.get(name);
      if (!entry) return;
      res.values[i] = compiled.checkValue(name, entry.value, res.problems);
      meta[i] = { secret: entry.name, version: entry.version, updatedAt: entry.updatedAt, expiresAt: entry.expiresAt, keyId: entry.keyId };
    });
    for (const p of outcome.problems) {
      res.problems.push(...placed(compiled, p));
      // The name exists but may not be used: say that, not also "not found".
      const i = p.name === undefined ? -1 : names.indexOf(p.name);
      if (i !== -1 && res.values[i] === undefined) res.values[i] = '';
    }
  }
  const out = compiled.run(res, options.vars);
  if (out.problems.length > 0) throw compiled.error(await suggested(out.problems, resolver));
  return compiled.result(out.value, res, out.derived, options.plan === true);
}

/** A resolver problem about a name, repeated at each reference to it (path and range). */
function placed(compiled: Compiled, p: Problem): Problem[] {
  if (p.name === undefined || p.path !== undefined) return [p];
  const at = compiled.atReferences(p.name, p.code, p.message, p.suggestion);
  return at.length > 0 ? at : [p];
}

async function suggested(problems: Problem[], resolver: SecretSource): Promise<Problem[]> {
  const missing = [...new Set(problems.filter((p) => p.code === 'SECRET_NOT_FOUND' && p.name !== undefined && p.suggestion === undefined).map((p) => p.name as string))];
  if (missing.length === 0) return problems;
  let found: Map<string, string[]>;
  try {
    found = await resolver.suggest(missing);
  } catch {
    // Suggestions are a courtesy: the error about the missing names matters more.
    return problems;
  }
  return withSuggestions(problems, (n) => found.get(n) ?? []);
}

/**
 * `compile` and `render`: compile (cached), resolve every distinct name — from values in hand, or
 * in one `resolver.resolve()` call — then one finish step. Every problem of the render is reported
 * together; nothing partial is ever returned.
 */
import { SecretrefError, type Problem } from '../errors.js';
import type { ResolveOutcome, SecretSource } from '../resolve/types.js';
import { suggestNames } from '../resolve/suggest.js';
import { compileCached } from './cache.js';
import type { Compiled } from './compile.js';
import { failure, finish, withSuggestions } from './finish.js';
import { fromOutcome, fromValues, secretNames } from './resolution.js';
import type { CompileOptions, CompiledDefinition, Rendered, RenderOptions, RenderWithSecretsOptions, SecretsInput } from './types.js';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const NOTHING: ResolveOutcome = { values: new Map(), missing: [], problems: [] };
const views = new WeakMap<Compiled, CompiledDefinition>();

/**
 * Compiles a definition (object, or JSON/YAML source text) once; later calls with the same object
 * or text reuse the compilation. Throws one SecretrefError listing every problem found.
 */
export function compile(definition: unknown, options: CompileOptions = {}): CompiledDefinition {
  const compiled = compileCached(definition, options);
  let view = views.get(compiled);
  if (!view) {
    view = Object.freeze({
      references: compiled.references,
      names: compiled.names,
      destinations: compiled.destinations,
      render: (secrets: SecretsInput, opts: RenderWithSecretsOptions = {}) => renderValues(compiled, secrets, opts),
    });
    views.set(compiled, view);
  }
  return view;
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
  if (options.dialect !== undefined) compileOptions.dialect = options.dialect;
  if (options.format !== undefined) compileOptions.format = options.format;
  if (options.vars !== undefined && options.vars !== null && typeof options.vars === 'object') compileOptions.vars = Object.keys(options.vars);
  const compiled = compileCached(definition, compileOptions);
  if (resolver === undefined) {
    if (secrets === undefined && compiled.names.length > 0) {
      throw new SecretrefError('INVALID_INPUT', 'This definition references secrets: pass a resolver (createResolver) or a secrets map to render().');
    }
    return renderValues(compiled, secrets ?? EMPTY, options);
  }
  if (options.environment !== undefined) {
    throw new SecretrefError('INVALID_INPUT', 'With a resolver, set the environment on the resolver (createResolver(store, { environment })), not on render().');
  }
  const destinations = options.tool === undefined ? compiled.destinations : compiled.destinationsFor(options.tool);
  const outcome = compiled.names.length === 0 ? NOTHING : await resolver.resolve({ names: compiled.names, destinations });
  const out = finish(compiled, fromOutcome(compiled, outcome), options);
  if (Array.isArray(out)) throw failure(compiled, await suggested(out, resolver));
  return out;
}

/** Renders with values in hand (synchronous). */
function renderValues(compiled: Compiled, secrets: SecretsInput, options: RenderWithSecretsOptions): Rendered {
  const out = finish(compiled, fromValues(compiled, secrets, options.environment), options);
  if (!Array.isArray(out)) return out;
  const existing = secretNames(secrets);
  throw failure(compiled, withSuggestions(out, (n) => suggestNames(n, existing)));
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

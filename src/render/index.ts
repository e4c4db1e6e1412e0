/** The safe renderer (SPEC §4): compile once, render many times, redact what was used. */
export { compile, render } from './render.js';
export { envEntries, formatDotenv } from './format-dotenv.js';
export type { CompileOptions, CompiledDefinition, PlanEntry, PlanStatus, EnvironmentFallback, Rendered, RenderOptions, RenderWithSecretsOptions, SecretsInput, VarValue } from './types.js';

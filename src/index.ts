/**
 * secretref — the public API. Everything users may import is listed here and nowhere else.
 */
export { SecretrefError, isSecretrefError, ERROR_CATALOG, ERROR_CODES } from './errors.js';
export type { ErrorCode, Problem, Position, Range } from './errors.js';
export { LIMITS, INTERNAL_LIMITS } from './limits.js';
/** The environment variables secretref reads (`ENV`), and `masterKeyFromEnv(env)`: the master key set there, if any. */
export { ENV, masterKeyFromEnv } from './env.js';

// syntax
export { findReferences, analyzeSource, analyzeValue, compileString, classify, BUILTINS, NAME_PATTERN } from './syntax/index.js';
export { DIALECTS, DEFAULT_DIALECT } from './syntax/index.js';
export type { Dialect } from './syntax/index.js';
/** How a definition's source is written (`yaml` — YAML or JSON — or `dotenv`), and `scanDotenv(source)`: the entries of an environment file with offsets. */
export { SOURCE_FORMATS, scanDotenv } from './syntax/index.js';
export type { SourceFormat, DotenvEntry, DotenvScan } from './syntax/index.js';
/** `nameProblem(name)`: why a secret name breaks the name rule (`NAME_PATTERN`, ≤ 128 characters), or undefined when it is valid. */
export { nameProblem } from './syntax/index.js';
export type { Reference, AnalyzedDocument, AnalyzeOptions, Site, CompiledString, Expr, Segment, Program, Form, OutputContext, BuiltinName } from './syntax/index.js';

// store
export { openStore, keygen, keyFingerprint, masterKeyWeakness, DEFAULT_STORE_URL, DEFAULT_DEVELOPER_ID, DEFAULT_SCHEMA, DEFAULT_GRACE_MS, STORE_LIMITS } from './store/index.js';
/** The local store agent of an embedded `file:` store (docs/agent.md): status, start, stop. */
export { agentFolder, agentStatus, startAgent, stopAgent } from './store/agent-control.js';
export type { AgentStatus } from './store/agent-control.js';
/** The store schema version that `openStore` migrates every store to (`secretref doctor` reports it). */
export { LATEST_VERSION } from './store/migrations.js';
/** `checkDeveloperId(id)`: a developer id (a UUID) in canonical lower case; INVALID_INPUT otherwise. */
export { checkDeveloperId } from './store/defaults.js';
export type { OpenStoreOptions, Store, ScopedStore, SecretInfo, Secret, PreviousVersion, CreateSecretInput, UpdateSecretPatch, GetOptions, ListOptions, ListResult, ListNamesOptions, RotateOptions, ResolvedSecret, AuditAction, AuditEntry, AuditQuery, ImportSecretInput, ImportSecretOptions, ImportSecretResult, ImportField, RekeyOptions, RekeyProgress, RekeyResult, MigrateOptions, MigrateProgress, MigrateResult, MigrateMismatch, StoreEvent, StoreListener, StoreStats, NotificationState, NotificationStatus, ConnectionBudget, PruneAuditOptions, PruneAuditResult, ReadReplicaStatus, ReplicaReadStats, AuditBufferStats } from './store/index.js';

// import
/** `importFromJulep(options, { store })` copies a Julep deployment's secrets into the store (`pg` is loaded only when called). */
export { importFromJulep } from './import/index.js';
/** Options, context and result (the `import --json` shape) of `importFromJulep`. */
export type { JulepImportOptions, JulepImportContext, JulepImportResult, JulepSkippedRow, JulepConflictRow } from './import/index.js';

// render
/** `compile(definition)` parses once; `render(definition, { resolver | secrets })` substitutes safely (SPEC §4). */
export { compile, render } from './render/index.js';
/** A flat rendered mapping as environment variables: `envEntries(value)` (pairs) and `formatDotenv(value)` (`KEY='value'` lines that read back exactly). */
export { envEntries, formatDotenv } from './render/index.js';
export type { CompileOptions, CompiledDefinition, PlanEntry, PlanStatus, EnvironmentFallback, Rendered, RenderOptions, RenderWithSecretsOptions, SecretsInput, VarValue } from './render/index.js';

// resolve
/** Batched, cached secret lookups for renders (`createResolver`), and provider-key names (`providerSecretName`). */
export { createResolver, providerSecretName } from './resolve/index.js';
/** Types of the resolver, its options and counters, and the renderer's SecretSource contract. */
export type { Resolver, ResolverOptions, ResolverStats, ProviderKeyOptions, ProviderTable, SecretSource, ResolveRequest, ResolveOutcome, ResolvedEntry } from './resolve/index.js';

// lint
/** `lint(source, options)` → every diagnostic of a definition (SPEC §5); `formatDiagnostics` renders text, JSON (version 1) or SARIF 2.1.0. */
export { lint, formatDiagnostics, LINT_RULES, LINT_CODES, summarize } from './lint/index.js';
/** The lint report as data: `jsonReport` (the JSON format, version 1) and `sarifLog` (a SARIF 2.1.0 log object). */
export { jsonReport, rulesDocUri, sarifLog } from './lint/index.js';
/**
 * Accepting findings: `# secretref-ignore CODE` comments (applied by `lint`), the `.secretrefignore`
 * file (`parseIgnoreFile`, `applyIgnoreFile`) and baselines (`baselineOf`, `formatBaseline`,
 * `parseBaseline`, `applyBaseline`). Accepted findings keep their place, marked `suppression`.
 */
export { parseIgnoreFile, applyIgnoreFile, IGNORE_FILE, parseBaseline, baselineOf, applyBaseline, formatBaseline } from './lint/index.js';
export type { Suppression, IgnoreRule, BaselineFile, BaselineEntry, SarifFormatOptions } from './lint/index.js';
/** Types of lint diagnostics, options, rules and reports. */
export type { Diagnostic, DiagnosticSummary, LintOptions, LintCode, LintRule, Severity, DiagnosticFormat, FormatOptions, JsonDiagnostic, JsonReport } from './lint/index.js';

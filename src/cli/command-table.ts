/**
 * THE command table: every command of `secretref`, in the order `--help` lists them. The argv
 * layer (argv.ts) registers exactly these; nothing else adds commands.
 *
 * An entry holds what `--help` and the argv parser need (words, description, arguments, flags)
 * and a loader of the command's module: a run loads the one module of the command it runs, so
 * `--version` and `--help` load no YAML parser, template engine, store or validator (issue 17).
 */
import type { LazyCommandSpec, OptionSpec, TableEntry } from './command.js';
import { ENV, IGNORE_FILE } from '../core.js';
import { STORE_ENV } from './help.js';

export type { LazyCommandSpec, TableEntry };

/** Descriptions of the command groups (the first word of a two-word command). */
export const GROUPS: Readonly<Record<string, string>> = {
  secrets: 'manage the encrypted secrets of one developer',
  agent: 'the local store agent that lets many processes share one embedded store (docs/agent.md)',
};

const POLICY_OPTIONS: readonly OptionSpec[] = [
  { flags: '--description <text>', description: 'what the secret is for' },
  { flags: '--metadata <key=value>', description: 'metadata pair (repeatable; key= removes on update)', repeatable: true },
  { flags: '--expires-at <time>', description: 'ISO date or duration from now (30d)' },
  { flags: '--allow-tool <names>', description: 'only these tools may use it (comma-separated, repeatable)', repeatable: true },
  { flags: '--allow-host <hosts>', description: 'only these hosts may receive it (comma-separated, *.example.com, repeatable)', repeatable: true },
];

const KEEP_NEWLINE: OptionSpec = { flags: '--keep-newline', description: 'keep a trailing newline read from stdin' };

export const COMMANDS: readonly TableEntry[] = [
  {
    name: 'keygen',
    examples: ['export SECRETS_MASTER_KEY="$(secretref keygen)"'],
    description: 'print a new random 256-bit master key (use it as SECRETS_MASTER_KEY)',
    usesConfig: false,
    load: async () => (await import('./commands/keygen.js')).keygenCommand,
  },
  {
    name: 'secrets create',
    examples: ['printf %s "$STRIPE_KEY" | secretref secrets create stripe_api_key --allow-host api.stripe.com', 'secretref secrets create db_password --expires-at 90d   # asks for the value, hidden'],
    description: 'create a secret; the value is read from stdin or a hidden prompt, never argv',
    arguments: [{ name: '<name>' }],
    options: [KEEP_NEWLINE, ...POLICY_OPTIONS],
    load: async () => (await import('./commands/secrets.js')).createCommand,
  },
  {
    name: 'secrets list',
    examples: ['secretref secrets list --prefix prod_', 'secretref secrets list --metadata team=payments --json'],
    description: 'list secrets (names and metadata, never values)',
    options: [
      { flags: '--metadata <key=value>', description: 'only secrets with this metadata pair (repeatable)', repeatable: true },
      { flags: '--prefix <prefix>', description: 'only names starting with this' },
      { flags: '--json', description: 'machine-readable output (docs/cli.md)' },
    ],
    load: async () => (await import('./commands/secrets.js')).listCommand,
  },
  {
    name: 'secrets get',
    examples: ['secretref secrets get db_password', 'secretref secrets get db_password --reveal | pbcopy'],
    description: 'describe a secret; print its value only with --reveal',
    arguments: [{ name: '<name>' }],
    options: [
      { flags: '--reveal', description: 'print the value to stdout' },
      { flags: '--previous', description: 'with --reveal: the value before the last rotation, during its grace period' },
      { flags: '--json', description: 'machine-readable output' },
    ],
    load: async () => (await import('./commands/secrets.js')).getCommand,
  },
  {
    name: 'secrets update',
    examples: ["secretref secrets update db_password --description 'primary DB' --metadata owner=ops", 'printf %s "$NEW" | secretref secrets update db_password --value-stdin'],
    description: 'change a secret: --value-stdin for a new value, --rename, description, metadata, expiry, policy',
    arguments: [{ name: '<name>' }],
    options: [
      { flags: '--value-stdin', description: 'read a new value from stdin (or a hidden prompt)' },
      KEEP_NEWLINE,
      { flags: '--rename <new-name>', description: 'new name' },
      { flags: '--clear-metadata', description: 'remove all metadata' },
      { flags: '--no-expiry', description: 'remove the expiry date' },
      { flags: '--clear-policy', description: 'allow every tool and host again' },
      ...POLICY_OPTIONS,
    ],
    load: async () => (await import('./commands/secrets.js')).updateCommand,
  },
  {
    name: 'secrets delete',
    examples: ['secretref secrets delete old_token'],
    description: 'delete a secret',
    arguments: [{ name: '<name>' }],
    load: async () => (await import('./commands/secrets.js')).deleteCommand,
  },
  {
    name: 'secrets rotate',
    examples: ['printf %s "$NEW" | secretref secrets rotate db_password --grace 24h'],
    description: 'replace the value (from stdin or a hidden prompt); the previous one stays readable for --grace',
    arguments: [{ name: '<name>' }],
    options: [{ flags: '--grace <duration>', description: 'how long the previous value stays readable', default: '24h' }, KEEP_NEWLINE],
    load: async () => (await import('./commands/secrets.js')).rotateCommand,
  },
  {
    name: 'secrets rollback',
    examples: ['secretref secrets rollback db_password'],
    description: 'make the value before the last rotation current again',
    arguments: [{ name: '<name>' }],
    load: async () => (await import('./commands/secrets.js')).rollbackCommand,
  },
  {
    name: 'refs',
    examples: ['secretref refs tools/', 'secretref refs .env.tpl --json'],
    env: [],
    description: 'list the secret references of tool definitions (files or folders; - for stdin)',
    arguments: [{ name: '<paths...>', description: 'YAML/JSON/.env files or folders' }],
    options: [
      { flags: '--dialect <dialect>', description: 'secretref or julep (default: the project config file, else secretref)' },
      { flags: '--var <key=value>', description: 'a variable the definitions may use (repeatable; only the name matters to refs)', repeatable: true },
      { flags: '--json', description: 'machine-readable output (docs/cli.md)' },
    ],
    load: async () => (await import('./commands/refs.js')).refsCommand,
  },
  {
    name: 'lint',
    examples: ['secretref lint tools/ .env.tpl', 'secretref lint --offline --format sarif --output lint.sarif tools/'],
    env: [...STORE_ENV, 'NO_COLOR'],
    description: 'check references before anything runs (offline rules; with the store: existence, expiry, policy — names and policy only, so no master key is needed)',
    arguments: [{ name: '<paths...>', description: 'YAML/JSON files or folders; - for stdin' }],
    options: [
      { flags: '--format <format>', description: 'text, json or sarif', default: 'text' },
      { flags: '--offline', description: 'do not open the store (syntax, safety, style, leaks, pasted credentials only)' },
      { flags: '--dialect <dialect>', description: 'secretref or julep (default: the project config file, else secretref)' },
      { flags: '--environment <env>', description: 'check which concrete secret (ENV_NAME or NAME) each reference resolves to' },
      { flags: '--tool <name>', description: 'the tool the definitions are rendered for, when they have no top-level name' },
      { flags: '--expiring-within <days>', description: 'warn about secrets expiring within this many days', default: '14' },
      { flags: '--output <file>', description: 'write the report to a file instead of stdout' },
      { flags: '--var <key=value>', description: 'a variable the definitions may use (repeatable; only the name matters to lint)', repeatable: true },
      { flags: '--fail-on <level>', description: 'exit 1 on findings at or above this level: error, warning or never', default: 'error' },
      { flags: '--baseline <file>', description: 'accept the findings recorded in this file; report only new ones' },
      { flags: '--write-baseline <file>', description: 'write the current findings to this baseline file (and accept them); --baseline FILE then reports only new ones' },
      { flags: '--update-baseline', description: 'write the current findings to the --baseline file (the same as --write-baseline FILE)' },
      { flags: '--ignore-file <file>', description: `the ignore file (default: ${IGNORE_FILE} from here up to the repository root)` },
      { flags: '--sarif-root <dir>', description: 'the folder SARIF and baseline paths are relative to (default: the repository root, found from .git)' },
    ],
    // A JSON report's consumer gets a JSON error; SARIF and text readers get the usual text on stderr.
    wantsJson: (flags: { format?: string }) => flags.format === 'json',
    load: async () => (await import('./commands/lint.js')).lintCommand,
  },
  {
    name: 'render',
    examples: ['secretref render tools/weather.yaml --redact', 'secretref render .env.tpl --format dotenv --out .env'],
    description: 'render tool definitions with their secrets substituted (JSON or YAML out); many files in one run with --out-dir',
    arguments: [{ name: '<paths...>', description: 'YAML/JSON files or folders; - for stdin' }],
    options: [
      { flags: '--out <file>', description: 'one input: write to this file (atomically, mode 0600) instead of stdout' },
      { flags: '--out-dir <dir>', description: 'write every rendered file here, mirroring the input tree (mode 0600; all or nothing)' },
      { flags: '--format <format>', description: 'json or yaml', default: 'json' },
      { flags: '--dialect <dialect>', description: 'secretref or julep (default: the project config file, else secretref)' },
      { flags: '--environment <env>', description: 'use ENV_NAME when it exists, else NAME (each fallback is warned about)' },
      { flags: '--strict-environment', description: 'a fallback from ENV_NAME to NAME is an error (config: strictEnvironment)' },
      { flags: '--allow-empty-environment', description: 'allow an environment that has no ENV_… secret at all' },
      { flags: '--tool <name>', description: "the tool being rendered (default: the definition's top-level name)" },
      { flags: '--var <key=value>', description: 'a variable the definition may use (repeatable)', repeatable: true },
      { flags: '--plan', description: 'print which secret each reference uses, and what is missing, expired or denied (no values); writes nothing' },
      { flags: '--redact', description: 'print the rendered definition with every secret value masked' },
    ],
    // Never a JSON error on stdout: it could be taken for the rendered definition.
    wantsJson: () => false,
    load: async () => (await import('./commands/render.js')).renderCommand,
  },
  {
    name: 'run',
    examples: ['secretref run --env .env.tpl -- node server.js', 'secretref run --env .env.tpl --environment prod -- ./deploy.sh'],
    description: 'run a command with the variables of environment files in its environment; its output is masked',
    arguments: [{ name: '<command...>', description: 'the command and its arguments, after --' }],
    options: [
      { flags: '--env <file>', description: 'a dotenv template (KEY=$secrets.NAME lines) to render (repeatable; later files win)', repeatable: true },
      { flags: '--environment <env>', description: 'use ENV_NAME when it exists, else NAME' },
      { flags: '--tool <name>', description: 'the tool the values are for (usage policies)' },
      { flags: '--var <key=value>', description: 'a variable the templates may use (repeatable)', repeatable: true },
      { flags: '--mask', description: 'mask output even on a terminal (the child then writes to a pipe)' },
      { flags: '--no-mask', description: 'never mask the child’s output' },
    ],
    // The child owns stdout: an error of ours goes to stderr only.
    wantsJson: () => false,
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'export',
    examples: ['secretref export --env .env.tpl --out .env', 'secretref export --env .env.tpl --format json'],
    description: 'write the rendered variables of environment files as one .env or JSON file (stdout or --out, mode 0600)',
    options: [
      { flags: '--env <file>', description: 'a dotenv template (KEY=$secrets.NAME lines) to render (repeatable; later files win)', repeatable: true },
      { flags: '--format <format>', description: 'dotenv or json', default: 'dotenv' },
      { flags: '--out <file>', description: 'write to this file (atomically, mode 0600) instead of stdout' },
      { flags: '--environment <env>', description: 'use ENV_NAME when it exists, else NAME' },
      { flags: '--tool <name>', description: 'the tool the values are for (usage policies)' },
      { flags: '--var <key=value>', description: 'a variable the templates may use (repeatable)', repeatable: true },
    ],
    // Never a JSON error on stdout: it could be taken for the exported file.
    wantsJson: () => false,
    load: async () => (await import('./commands/export.js')).exportCommand,
  },
  {
    name: 'rekey',
    examples: ['NEW_KEY="$(secretref keygen)" secretref rekey --new-key-env NEW_KEY'],
    description: 're-encrypt every secret under a new master key read from an environment variable',
    options: [
      { flags: '--new-key-env <VAR>', description: 'environment variable holding the new master key', required: true },
      { flags: '--batch-size <n>', description: 'rows per transaction', default: '100' },
    ],
    load: async () => (await import('./commands/rekey.js')).rekeyCommand,
  },
  {
    name: 'migrate',
    description: "copy every developer's secrets, versions and audit history to another store (resumable, idempotent, verified)",
    examples: ['secretref migrate --to postgres://secretref@db.internal/secrets', 'NEW_KEY="$(secretref keygen)" secretref migrate --from file:.secretref/db --to postgres://secretref@db/secrets --to-key-env NEW_KEY'],
    options: [
      { flags: '--to <url>', description: 'the store to copy into (postgres://…, file:PATH)', required: true },
      { flags: '--from <url>', description: 'the store to copy from (default: the configured store)' },
      { flags: '--to-key-env <VAR>', description: "environment variable holding the target's master key (default: the same key)" },
      { flags: '--no-verify', description: 'skip the pass that compares every row of both stores' },
      { flags: '--json', description: 'machine-readable result' },
    ],
    load: async () => (await import('./commands/migrate.js')).migrateCommand,
  },
  {
    name: 'audit',
    examples: ['secretref audit --secret db_password --since 7d'],
    description: 'show the audit log of this developer (newest first; never values)',
    options: [
      { flags: '--secret <name>', description: 'only this secret' },
      { flags: '--since <time>', description: 'ISO date or duration back from now (7d)' },
      { flags: '--limit <n>', description: 'at most this many entries', default: '100' },
      { flags: '--json', description: 'machine-readable output (docs/cli.md)' },
    ],
    load: async () => (await import('./commands/audit.js')).auditCommand,
  },
  {
    name: 'audit prune',
    examples: ['secretref audit prune                  # older than auditRetention (90 days)', 'secretref audit prune --older-than 30 --json'],
    description: "delete every developer's audit records older than the retention (as the tables' owner; never younger than a day)",
    options: [
      { flags: '--older-than <days>', description: 'keep this many days (default: auditRetention, 90)' },
      { flags: '--batch-size <n>', description: 'records per transaction (default 10000)' },
      { flags: '--json', description: 'machine-readable result (version 1)' },
    ],
    load: async () => (await import('./commands/audit-prune.js')).auditPruneCommand,
  },
  {
    name: 'import',
    examples: ['JULEP_SECRETS_MASTER_KEY=… secretref import --from-julep postgres://julep@db/julep --only-this-developer'],
    env: [...STORE_ENV, 'JULEP_SECRETS_MASTER_KEY'],
    description: 'copy the secrets of a Julep deployment into this store (same developer ids, timestamps kept; idempotent)',
    options: [
      { flags: '--from-julep <url>', description: 'postgres:// URL of the Julep database', required: true },
      { flags: '--julep-key-env <VAR>', description: "environment variable holding Julep's SECRETS_MASTER_KEY", default: 'JULEP_SECRETS_MASTER_KEY' },
      { flags: '--table <name>', description: "Julep's secrets table", default: 'secrets' },
      { flags: '--only-this-developer', description: 'import only the configured developer (default: every developer in the table, each under its own id)' },
      { flags: '--overwrite', description: 'make value, description and metadata equal to Julep where they differ' },
      { flags: '--json', description: 'machine-readable result (version 1)' },
    ],
    load: async () => (await import('./commands/import-julep.js')).importCommand,
  },
  {
    name: 'lsp',
    examples: ['secretref lsp --stdio   # started by the editor'],
    description: 'run the language server for editors over stdio (diagnostics, completion, hover, code actions)',
    options: [
      { flags: '--offline', description: 'offline rules only, even when a store is configured' },
      { flags: '--stdio', description: 'talk over stdin/stdout: the only transport, accepted because editors pass it' },
    ],
    // stdout is the protocol's channel: an error goes to stderr as text, never as JSON on stdout.
    wantsJson: () => false,
    load: async () => (await import('./commands/lsp.js')).lspCommand,
  },
  {
    name: 'serve',
    examples: ['secretref serve   # Unix socket in a private folder', 'SECRETREF_SERVE_TOKEN="$(secretref keygen)" secretref serve --port 8787'],
    description: 'serve render, lint, refs and plan over HTTP on a Unix socket (or loopback TCP with a token), for runtimes that are not Node',
    options: [
      { flags: '--socket <path>', description: 'Unix socket to listen on (default: $XDG_RUNTIME_DIR/secretref/serve.sock, else a private folder in the temp dir)' },
      { flags: '--port <n>', description: 'listen on TCP instead (loopback; needs a bearer token)' },
      { flags: '--host <address>', description: 'TCP interface (default 127.0.0.1)' },
      { flags: '--token-file <file>', description: 'bearer token file (else SECRETREF_SERVE_TOKEN); required on TCP' },
      { flags: '--allow-non-loopback', description: 'allow a TCP interface that is not loopback (still with the token)' },
      { flags: '--openapi', description: 'print the OpenAPI document and exit' },
    ],
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'demo',
    examples: ['npx secretref demo'],
    env: ['NO_COLOR'],
    description: 'a tour on a throwaway in-memory store: create secrets, render the example tools (redacted), lint a broken one',
    options: [{ flags: '--show <n>', description: 'print this many rendered definitions in full (redacted)', default: '2' }],
    usesConfig: false,
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'doctor',
    examples: ['secretref doctor', 'SECRETREF_DATABASE_URL=postgres://app@db/secrets secretref doctor --json'],
    description: 'check the master key, the database, pgcrypto, migrations, that the key opens the rows, and serve/lsp',
    options: [{ flags: '--json', description: 'machine-readable output' }],
    load: async () => (await import('./commands/doctor.js')).doctorCommand,
  },
  {
    name: 'agent start',
    examples: ['secretref agent start --idle-timeout 10m   # before a parallel build step', 'secretref agent start --json'],
    description: 'start the store agent of the embedded store (a command that opens the store starts it by itself)',
    env: [ENV.databaseUrl, 'SECRETREF_AGENT'],
    options: [
      { flags: '--idle-timeout <duration>', description: 'exit after this long without a client (90s, 10m)', default: '60s' },
      { flags: '--json', description: 'machine-readable output (docs/cli.md)' },
    ],
    load: async () => (await import('./commands/agent.js')).agentStartCommand,
  },
  {
    name: 'agent status',
    examples: ['secretref agent status', 'secretref agent status --json'],
    description: "show the store agent's process, socket and connections, or that none runs",
    env: [ENV.databaseUrl],
    options: [{ flags: '--json', description: 'machine-readable output (docs/cli.md)' }],
    load: async () => (await import('./commands/agent.js')).agentStatusCommand,
  },
  {
    name: 'agent stop',
    examples: ['secretref agent stop'],
    description: 'stop the store agent (it also stops by itself when idle)',
    env: [ENV.databaseUrl],
    options: [{ flags: '--json', description: 'machine-readable output (docs/cli.md)' }],
    load: async () => (await import('./commands/agent.js')).agentStopCommand,
  },
  {
    name: 'completion',
    description: 'print a shell completion script (bash, zsh or fish) for every command and flag',
    arguments: [{ name: '<shell>', description: 'bash, zsh or fish' }],
    usesConfig: false,
    examples: ['source <(secretref completion bash)   # in ~/.bashrc', 'secretref completion fish > ~/.config/fish/completions/secretref.fish'],
    load: async () => (await import('./commands/completion.js')).completionCommand,
  },
];

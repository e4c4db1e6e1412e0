/** `secretref lint FILE|DIR…`: exit 1 when any error-level diagnostic is found. */
import { resolve } from 'node:path';
import { formatDiagnostics, lint as lintSource, type Diagnostic, type DiagnosticFormat, type LintOptions } from '../../index.js';
import { argList, defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { describeDialects, parseDialect, type Dialect } from '../dialect.js';
import { collectFiles, readInput } from '../files.js';
import { lintJson, lintSarif, stringify, type FileDialectJson } from '../json.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

const FORMATS: readonly DiagnosticFormat[] = ['text', 'json', 'sarif'];

export interface LintCommandOptions {
  paths: string[];
  format: DiagnosticFormat;
  /** No store: the offline rules only. */
  offline: boolean;
  /** Default: the project config's `environment`. */
  environment?: string;
  tool?: string;
  expiringWithinDays: number;
  /** Write the report here instead of stdout. */
  output?: string;
  /** Every file in this dialect; default: the project config's choice per file. */
  dialect?: Dialect;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** Source of each file by shown name (for excerpts in the text report). */
  sources: Map<string, string>;
  files: FileDialectJson[];
}

export async function lint(options: LintCommandOptions, ctx: CliContext): Promise<LintResult> {
  const files = await collectFiles(options.paths, ctx.io);
  const store = options.offline ? undefined : await ctx.openStore();
  const developerId = store ? ctx.developerId() : undefined;
  const environment = ctx.environment(options.environment);
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const dialects: FileDialectJson[] = [];
  const bar = files.length > 20 ? progressBar(ctx, 'lint') : undefined;
  try {
    for (const [i, path] of files.entries()) {
      const input = await readInput(path, ctx.io);
      const dialect = ctx.dialectFor(path, options.dialect);
      sources.set(input.name, input.source);
      dialects.push({ file: input.name, dialect });
      const opts: LintOptions = {
        filename: input.name,
        ...(store && developerId ? { store, developerId } : {}),
        expiringWithinDays: options.expiringWithinDays,
        ...(environment ? { environment } : {}),
        ...(options.tool ? { tool: options.tool } : {}),
        dialect,
      };
      diagnostics.push(...(await lintSource(input.source, opts)));
      bar?.update(i + 1, files.length);
    }
  } finally {
    bar?.stop();
  }
  return { diagnostics, sources, files: dialects };
}

type LintFlags = { format: string; offline?: boolean; environment?: string; tool?: string; expiringWithin: string; output?: string; dialect?: string };

export const lintCommand = defineCommand({
  name: 'lint',
  description: 'check references before anything runs (offline rules; with the store: existence, expiry, policy)',
  arguments: [{ name: '<paths...>', description: 'YAML/JSON files or folders; - for stdin' }],
  options: [
    { flags: '--format <format>', description: 'text, json or sarif', default: 'text' },
    { flags: '--offline', description: 'do not open the store (syntax, safety, style, leaks, pasted credentials only)' },
    { flags: '--dialect <dialect>', description: 'secretref or julep (default: the project config file, else secretref)' },
    { flags: '--environment <env>', description: 'check which concrete secret (ENV_NAME or NAME) each reference resolves to' },
    { flags: '--tool <name>', description: 'the tool the definitions are rendered for, when they have no top-level name' },
    { flags: '--expiring-within <days>', description: 'warn about secrets expiring within this many days', default: '14' },
    { flags: '--output <file>', description: 'write the report to a file instead of stdout' },
  ],
  // A JSON report's consumer gets a JSON error; SARIF and text readers get the usual text on stderr.
  wantsJson: (flags: LintFlags) => flags.format === 'json',
  toOptions(args, flags: LintFlags): LintCommandOptions {
    if (!(FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format takes text, json or sarif; got "${flags.format}".`);
    const days = Number(flags.expiringWithin);
    if (!Number.isFinite(days) || days < 0) throw new UsageError('--expiring-within takes a number of days.');
    const dialect = parseDialect(flags.dialect);
    return {
      paths: argList(args, 0),
      format: flags.format as DiagnosticFormat,
      offline: flags.offline === true,
      expiringWithinDays: days,
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
      ...(flags.output !== undefined ? { output: flags.output } : {}),
      ...(dialect ? { dialect } : {}),
    };
  },
  run: lint,
  async report(result, options, ctx) {
    const { diagnostics, files } = result;
    const color = options.output === undefined && ctx.color('stdout');
    const report =
      options.format === 'json'
        ? stringify(lintJson(diagnostics, files))
        : options.format === 'sarif'
          ? stringify(lintSarif(diagnostics, files))
          : formatDiagnostics(diagnostics, 'text', { color, source: result.sources, excerpt: color });
    if (options.output !== undefined) await writeFileAtomic(resolve(ctx.io.cwd, options.output), report.endsWith('\n') ? report : `${report}\n`);
    else if (report.length > 0) ctx.out(report);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    if (options.format === 'text' || options.output !== undefined) {
      const notes = [...(options.offline ? ['offline'] : []), describeDialects(files.map((f) => f.dialect))];
      ctx.err(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s) (${notes.join('; ')}).`);
    }
    return errors > 0 ? 1 : 0;
  },
});

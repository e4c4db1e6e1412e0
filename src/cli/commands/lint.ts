import { resolve } from 'node:path';
import type { Command } from 'commander';
import { lint } from '../../lint/lint.js';
import { formatDiagnostics, type DiagnosticFormat } from '../../lint/format.js';
import type { Diagnostic } from '../../lint/diagnostic.js';
import type { CliContext } from '../context.js';
import { collectFiles, readInput } from '../files.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

const FORMATS = new Set(['text', 'json', 'sarif']);

/** `secretref lint FILE|DIR…`: exit 1 when any error-level diagnostic is found. */
export function registerLint(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('lint')
    .description('check references before anything runs (offline rules; with the store: existence, expiry, policy)')
    .argument('<paths...>', 'YAML/JSON files or folders; - for stdin')
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--offline', 'do not open the store (syntax, safety, style, leaks, pasted credentials only)')
    .option('--environment <env>', 'check which concrete secret (ENV_NAME or NAME) each reference resolves to')
    .option('--tool <name>', 'the tool the definitions are rendered for, when they have no top-level name')
    .option('--expiring-within <days>', 'warn about secrets expiring within this many days', '14')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .action(async (paths: string[], opts: { format: string; offline?: boolean; environment?: string; tool?: string; expiringWithin: string; output?: string }) => {
      if (!FORMATS.has(opts.format)) throw new UsageError(`--format takes text, json or sarif; got "${opts.format}".`);
      const days = Number(opts.expiringWithin);
      if (!Number.isFinite(days) || days < 0) throw new UsageError('--expiring-within takes a number of days.');
      const files = await collectFiles(paths, ctx.io);
      const store = opts.offline ? undefined : await ctx.openStore();
      const diagnostics: Diagnostic[] = [];
      const sources = new Map<string, string>();
      const bar = files.length > 20 ? progressBar(ctx, 'lint') : undefined;
      try {
        for (const [i, path] of files.entries()) {
          const input = await readInput(path, ctx.io);
          sources.set(input.name, input.source);
          diagnostics.push(
            ...(await lint(input.source, {
              filename: input.name,
              ...(store ? { store, developerId: ctx.config().developerId } : {}),
              expiringWithinDays: days,
              ...(opts.environment ? { environment: opts.environment } : {}),
              ...(opts.tool ? { tool: opts.tool } : {}),
            })),
          );
          bar?.update(i + 1, files.length);
        }
      } finally {
        bar?.stop();
      }
      const target = opts.output ? 'file' : 'stdout';
      const color = target === 'stdout' && ctx.color('stdout');
      const report = formatDiagnostics(diagnostics, opts.format as DiagnosticFormat, { color, source: sources, excerpt: color });
      if (opts.output) await writeFileAtomic(resolve(ctx.io.cwd, opts.output), report.endsWith('\n') ? report : `${report}\n`);
      else if (report.length > 0) ctx.out(report);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
      if (opts.format === 'text' || opts.output) ctx.err(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s)${opts.offline ? ' (offline)' : ''}.`);
      if (errors > 0) setExit(1);
    });
}

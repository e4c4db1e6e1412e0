/**
 * `secretref export --env FILE… [--format dotenv|json]`: the rendered variables of environment
 * files, as one dotenv file (exactly what `render --format dotenv` writes for one file) or one
 * JSON object, to stdout or — atomically, mode 0600 — to `--out`.
 */
import { resolve } from 'node:path';
import { formatDotenv } from '../../index.js';
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { renderEnvFiles, type EnvFilesOptions, type RenderedEnv } from '../env-files.js';
import { parsePairs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

export interface ExportOptions extends EnvFilesOptions {
  format: 'dotenv' | 'json';
  out?: string;
}

export async function exportEnv(options: ExportOptions, ctx: CliContext): Promise<RenderedEnv> {
  return renderEnvFiles(options, ctx);
}

type ExportFlags = { env?: string[]; format: string; out?: string; environment?: string; tool?: string; var?: string[] };

export const exportCommand = implementCommand({
  toOptions(_args, flags: ExportFlags): ExportOptions {
    if (flags.format !== 'dotenv' && flags.format !== 'json') throw new UsageError(`--format takes dotenv or json; got "${flags.format}".`);
    if (!flags.env || flags.env.length === 0) throw new UsageError('Give at least one --env FILE (a dotenv template such as DB_PASSWORD=$secrets.db_password).');
    const vars = parsePairs(flags.var, '--var');
    return {
      files: flags.env,
      format: flags.format,
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
      ...(vars ? { vars } : {}),
    };
  },
  run: exportEnv,
  async report(env, options, ctx) {
    const value = Object.fromEntries(env.vars);
    const text = options.format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : formatDotenv(value);
    const summary = `${env.vars.size} variable(s) from ${env.files.map((f) => f.name).join(', ')}`;
    if (options.out !== undefined) {
      await writeFileAtomic(resolve(ctx.io.cwd, options.out), text);
      ctx.err(`Exported ${summary} → ${options.out}.`);
    } else {
      ctx.io.stdout.write(text);
      ctx.err(`Exported ${summary}.`);
    }
    return 0;
  },
});

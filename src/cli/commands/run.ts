/**
 * `secretref run [--env FILE]… -- CMD ARGS…`: starts CMD with the rendered variables added to
 * its environment (never on its argv, never on disk), forwards signals to it, and exits with its
 * status (128+n when a signal ended it). Output the child writes to a pipe or file is masked
 * line by line with the renderer's redaction; a terminal is handed to the child untouched unless
 * `--mask` (masking needs a pipe, and a pipe is not a terminal: colours, progress bars and
 * prompts would break). The master key is not passed on.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import { ENV, SecretrefError } from '../../index.js';
import { LineMasker } from '../mask-lines.js';
import { argList, implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { renderEnvFiles, type EnvFilesOptions } from '../env-files.js';
import type { OutStream } from '../io.js';
import { parsePairs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

export interface RunOptions extends EnvFilesOptions {
  command: string;
  args: string[];
  /** true: mask even a terminal; false: never mask; undefined: mask unless the stream is a terminal. */
  mask?: boolean;
}

export interface RunResult {
  /** The child's exit status, or 128 + the number of the signal that ended it. */
  code: number;
}

/** Signals passed on to the child while it runs. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGWINCH'] as const;

export async function runChild(options: RunOptions, ctx: CliContext): Promise<RunResult> {
  const env = await renderEnvFiles(options, ctx);
  // The store is not needed while the child runs (and must not keep a connection open for hours).
  await ctx.close();
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.io.env)) if (v !== undefined && k !== ENV.masterKey) childEnv[k] = v;
  for (const [k, v] of env.vars) childEnv[k] = v;
  const holdLines = Math.max(0, ...[...env.vars.values()].map((v) => v.split('\n').length - 1));
  const real = ctx.io.inheritStdio === true;
  const masks = (s: OutStream): boolean => options.mask ?? !s.isTTY;
  const plan = (s: OutStream): 'inherit' | 'pipe' => (real && !masks(s) ? 'inherit' : 'pipe');
  const stdio: StdioOptions = [real ? 'inherit' : 'ignore', plan(ctx.io.stdout), plan(ctx.io.stderr)];
  return await new Promise<RunResult>((done, fail) => {
    const child = spawn(options.command, options.args, { env: childEnv, stdio });
    const forward = (sig: NodeJS.Signals) => () => {
      child.kill(sig);
    };
    const handlers = FORWARDED.map((sig) => [sig, forward(sig)] as const);
    for (const [sig, h] of handlers) process.on(sig, h);
    const unhook = () => {
      for (const [sig, h] of handlers) process.removeListener(sig, h);
    };
    const maskers: LineMasker[] = [];
    const pipe = (from: NodeJS.ReadableStream | null, to: OutStream) => {
      if (!from) return;
      if (!masks(to)) {
        from.on('data', (b: Buffer) => to.write(b.toString('utf8')));
        return;
      }
      const m = new LineMasker(env.redact, (t) => to.write(t), { holdLines });
      maskers.push(m);
      from.on('data', (b: Buffer) => m.push(b));
    };
    pipe(child.stdout, ctx.io.stdout);
    pipe(child.stderr, ctx.io.stderr);
    child.on('error', (e: NodeJS.ErrnoException) => {
      unhook();
      const why = e.code === 'ENOENT' ? 'not found on PATH' : e.code === 'EACCES' ? 'not executable' : (e.code ?? 'failed to start');
      fail(new SecretrefError('INVALID_INPUT', `Cannot run ${options.command}: ${why}.`, { path: '/command' }));
    });
    child.on('close', (code, signal) => {
      unhook();
      for (const m of maskers) m.end();
      done({ code: signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1) });
    });
  });
}

type RunFlags = { env?: string[]; environment?: string; tool?: string; var?: string[]; mask?: boolean };

export const runCommand = implementCommand({
  toOptions(args, flags: RunFlags): RunOptions {
    const [command, ...rest] = argList(args, 0);
    if (command === undefined || command === '') throw new UsageError('Name the command to run after --: secretref run --env .env.tpl -- node app.js');
    if (!flags.env || flags.env.length === 0) throw new UsageError('Give at least one --env FILE (a dotenv template such as DB_PASSWORD=$secrets.db_password).');
    const vars = parsePairs(flags.var, '--var');
    return {
      command,
      args: rest,
      files: flags.env,
      ...(flags.mask !== undefined ? { mask: flags.mask } : {}),
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
      ...(vars ? { vars } : {}),
    };
  },
  run: runChild,
  report: (result) => result.code,
});

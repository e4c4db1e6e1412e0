/**
 * The command line as a function: `run(argv, io) → exit code`. Every command is a plain function
 * in the command table; argv.ts maps flags onto it. Exit codes: 0 ok, 1 failure or error-level
 * findings, 2 usage error. Under `--json`, an error is one JSON document on stdout (json.ts).
 */
import { CommanderError } from 'commander';
import { isSecretrefError, type SecretrefError } from '../core.js';
import { argvWantsJson, buildProgram, withoutArgv, type RunState } from './argv.js';
import type { GlobalOptions } from './config.js';
import { CliContext } from './context.js';
import { PromptCancelled, type Io } from './io.js';
import { errorJson, usageErrorJson } from './json.js';
import { FileError } from './files.js';
import { ConfigFileError } from './project-config.js';
import { UsageError } from './usage-error.js';

export { withoutArgv };

/** One line per problem: `file:line:col path: CODE message (did you mean …)`. Never a value. */
export function describeError(e: SecretrefError): string {
  const file = e instanceof ConfigFileError || e instanceof FileError ? `${e.file}:` : '';
  if (e.problems.length <= 1) {
    const p = e.problems[0];
    const hint = p?.suggestion ? ` (suggestion: ${p.suggestion})` : '';
    // Errors built from a located problem already carry `where: CODE:` in their message.
    const head = e.message.includes(`${e.code}:`) ? '' : `${e.code}: `;
    return `secretref: ${head}${e.message}${hint}\n`;
  }
  const lines = e.problems.map((p) => {
    const where = [p.range ? `${file}${p.range.start.line}:${p.range.start.column}` : file.slice(0, -1), p.path ?? ''].filter(Boolean).join(' ');
    const hint = p.suggestion ? ` (suggestion: ${p.suggestion})` : '';
    return `  ${where ? `${where}: ` : ''}${p.code}: ${p.message}${hint}`;
  });
  return `secretref: ${e.code}: ${e.problems.length} problems:\n${lines.join('\n')}\n`;
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const state: RunState = { json: argvWantsJson(argv), exitCode: 0 };
  let program: ReturnType<typeof buildProgram> | undefined;
  const ctx = new CliContext(io, () => program?.opts<GlobalOptions>() ?? {});
  program = buildProgram(ctx, io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      if (state.json) ctx.json(usageErrorJson(withoutArgv(e.message).replace(/^error: /, '')));
      return 2;
    }
    if (e instanceof PromptCancelled) {
      io.stderr.write(`secretref: ${e.message}\n`);
      return 130;
    }
    const usage = e instanceof UsageError;
    if (state.json) {
      ctx.json(errorJson(e, usage));
      return usage ? 2 : 1;
    }
    if (usage) {
      io.stderr.write(`secretref: ${e.code}: ${e.message}\n`);
      return 2;
    }
    if (isSecretrefError(e)) {
      io.stderr.write(describeError(e));
      return 1;
    }
    // Not ours: say so without a stack (a stack may hold values from a library's frames).
    io.stderr.write(`secretref: internal error: ${e instanceof Error ? e.name : 'unknown'}. Please report it.\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

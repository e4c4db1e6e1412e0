/**
 * The command line as a function: `run(argv, io) → exit code`. Every command is a thin layer over
 * the library. Exit codes: 0 ok, 1 failure or error-level findings, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { isSecretrefError, type SecretrefError } from '../errors.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerImport } from './commands/import-julep.js';
import { registerKeygen } from './commands/keygen.js';
import { registerLint } from './commands/lint.js';
import { registerRefs } from './commands/refs.js';
import { registerRekey } from './commands/rekey.js';
import { registerRender } from './commands/render.js';
import { registerSecrets } from './commands/secrets.js';
import { CliContext } from './context.js';
import type { GlobalOptions } from './config.js';
import type { Io } from './io.js';
import { UsageError } from './usage-error.js';

export type CommandRegistrar = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void;

const registrars: CommandRegistrar[] = [registerKeygen, registerSecrets, registerRefs, registerLint, registerRender, registerRekey, registerAudit, registerImport, registerDemo, registerDoctor];

/** Adds command groups (used by modules that register more commands). */
export function addCommands(...more: CommandRegistrar[]): void {
  registrars.push(...more);
}

/**
 * Commander's usage errors quote the offending argv token; a value typed in the wrong place (a
 * secret passed as `--value=…`, or pasted where a name or command goes and starting with `-`)
 * would be echoed. The token is left out; the rest of the message, and its suggestion of a
 * known option, stay.
 */
export function withoutArgv(message: string): string {
  return message
    .replace(/unknown (option|command) '[^']*'/g, 'unknown $1 (not repeated here: it may hold a value)')
    .replace(/argument '[^']*' is invalid/g, 'argument is invalid')
    .replace(/'(-{1,2}[^'=\s]+)=[^']*'/g, "'$1=…'");
}

/** One line per problem: `file:line:col path: CODE message (did you mean …)`. Never a value. */
export function describeError(e: SecretrefError): string {
  if (e.problems.length <= 1) {
    const p = e.problems[0];
    const hint = p?.suggestion ? ` (suggestion: ${p.suggestion})` : '';
    // Errors built from a located problem already carry `where: CODE:` in their message.
    const head = e.message.includes(`${e.code}:`) ? '' : `${e.code}: `;
    return `secretref: ${head}${e.message}${hint}\n`;
  }
  const lines = e.problems.map((p) => {
    const where = [p.range ? `${p.range.start.line}:${p.range.start.column}` : '', p.path ?? ''].filter(Boolean).join(' ');
    const hint = p.suggestion ? ` (suggestion: ${p.suggestion})` : '';
    return `  ${where ? `${where}: ` : ''}${p.code}: ${p.message}${hint}`;
  });
  return `secretref: ${e.code}: ${e.problems.length} problems:\n${lines.join('\n')}\n`;
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command('secretref');
  const ctx = new CliContext(io, () => program.opts<GlobalOptions>());
  program
    .description('Find, resolve and safely render $secrets.NAME references in tool definitions.')
    .option('--database-url <url>', 'store location (env SECRETREF_DATABASE_URL; default file:.secretref/db)')
    .option('--developer <uuid>', 'developer id every operation is confined to (env SECRETREF_DEVELOPER_ID)')
    .option('--create-key', 'embedded store only: create a master key file when none is set')
    .version('0.1.0')
    .showHelpAfterError('(run secretref --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(withoutArgv(s)),
    });
  for (const register of registrars) register(program, ctx, (code) => (exitCode = Math.max(exitCode, code)));
  program.commands.forEach(function exitOverrideAll(c: Command): void {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
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

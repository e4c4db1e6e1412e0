/**
 * The argv layer: builds the commander program from the command table. It only declares flags,
 * maps them onto each command's options and calls the command; the commands know no argv.
 */
import { Command, Option } from 'commander';
import type { TableEntry } from './command.js';
import { COMMANDS, GROUPS } from './command-table.js';
import type { CliContext } from './context.js';
import { helpAfter, STORE_ENV, type EnvName } from './help.js';
import type { Io } from './io.js';
import { collect } from './parse-args.js';
import { VERSION } from './version.js';

/** What a run learns while parsing: whether the caller wants JSON (errors too), and the exit code. */
export interface RunState {
  json: boolean;
  exitCode: number;
}

/** Global options that take a value (skipped when looking for the command word). */
const GLOBAL_WITH_VALUE = new Set(['--database-url', '--developer', '--config']);

/**
 * Before commander has parsed anything (its own usage errors): JSON was asked for when `--json`
 * is given, or `--format json` to `lint` — the same rule as the commands' `wantsJson`.
 */
export function argvWantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const tokens = end === -1 ? argv : argv.slice(0, end);
  if (tokens.includes('--json')) return true;
  let command: string | undefined;
  for (let i = 0; i < tokens.length && command === undefined; i++) {
    const t = tokens[i] as string;
    if (GLOBAL_WITH_VALUE.has(t)) i++;
    else if (!t.startsWith('-')) command = t;
  }
  if (command !== 'lint') return false;
  return tokens.some((t, i) => t === '--format=json' || (t === '--format' && tokens[i + 1] === 'json'));
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

export function buildProgram(ctx: CliContext, io: Io, state: RunState): Command {
  const program = new Command('secretref');
  program
    .description('Find, resolve and safely render $secrets.NAME references in tool definitions.')
    .option('--database-url <url>', 'store location (env SECRETREF_DATABASE_URL, else the project config file; default file:.secretref/db)')
    .option('--developer <uuid>', 'developer id every operation is confined to (env SECRETREF_DEVELOPER_ID)')
    .option('--create-key', 'embedded store only: create a master key file when none is set')
    .option('--config <file>', 'project config file to use (default: secretref.config.{json,yaml,yml} or package.json "secretref", found upward)')
    .option('--no-config', 'use no project config file')
    .version(VERSION)
    // Inherited by every command added below: each --help lists the global options too.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run secretref --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Under --json the error is printed once, as JSON, by run().
      outputError: (s, write) => {
        if (!state.json) write(withoutArgv(s));
      },
    });
  for (const entry of COMMANDS) addCommand(program, entry, ctx, state);
  program.commands.forEach(function exitOverrideAll(c: Command): void {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  program.exitOverride();
  return program;
}

function addCommand(program: Command, spec: TableEntry, ctx: CliContext, state: RunState): void {
  const words = spec.name.split(' ');
  let parent = program;
  for (const word of words.slice(0, -1)) {
    parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(GROUPS[word] ?? '');
  }
  const cmd = parent.command(words[words.length - 1] as string).description(spec.description);
  const env: readonly EnvName[] = spec.env ?? (spec.usesConfig === false ? [] : STORE_ENV);
  cmd.addHelpText('after', helpAfter(env, spec.examples));
  for (const a of spec.arguments ?? []) cmd.argument(a.name, a.description);
  for (const o of spec.options ?? []) {
    const opt = new Option(o.flags, o.description);
    if (o.default !== undefined) opt.default(o.default);
    if (o.repeatable) opt.argParser(collect);
    if (o.required) opt.makeOptionMandatory();
    cmd.addOption(opt);
  }
  cmd.action(async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    // The flags are the spec's own flag type by declaration: commander parsed exactly its options.
    // Under a command that is also a group (`audit` of `audit prune`), that command takes the
    // flags both declare (`--json`) wherever they stand: they are the subcommand's too.
    const under: Record<string, unknown> = command.parent && command.parent.parent ? command.parent.opts<Record<string, unknown>>() : {};
    const flags = { ...under, ...command.opts<Record<string, unknown>>() } as never;
    state.json = spec.wantsJson ? spec.wantsJson(flags) : (flags as { json?: unknown }).json === true;
    // The command's module is loaded here, for the one command that runs.
    const impl = 'load' in spec ? await spec.load() : spec;
    const options = impl.toOptions(command.processedArgs as string[], flags);
    if (spec.usesConfig !== false) await ctx.prepare();
    const result = await impl.run(options, ctx);
    state.exitCode = Math.max(state.exitCode, await impl.report(result, options, ctx));
  });
}

/**
 * The shape of one command in the command table: what the argv layer declares (arguments,
 * options), how it maps parsed flags onto the command's options, the command itself — a plain
 * function `(options, context) → result` — and how the result is reported (text, or JSON through
 * json.ts) with its exit code. After changesets' `commands/*`: the function knows no argv.
 */
import type { CliContext } from './context.js';
import type { EnvName } from './help.js';

/** A positional argument: `<name>` (required), `[name]` (optional), `<name...>` (variadic). */
export interface ArgumentSpec {
  name: string;
  description?: string;
}

/** A flag as commander declares it (`--format <format>`, `--no-expiry`). */
export interface OptionSpec {
  flags: string;
  description: string;
  default?: string;
  /** Repeatable: every occurrence is collected into an array. */
  repeatable?: boolean;
  required?: boolean;
}

/** Positional arguments as commander parsed them (a variadic argument is an array). */
export type ParsedArgs = readonly (string | string[] | undefined)[];

/** What the command table knows of a command without loading its module: words, help, flags. */
export interface CommandMeta<F = Record<string, unknown>> {
  /** Words of the command line: `refs`, `secrets create`. */
  name: string;
  description: string;
  arguments?: readonly ArgumentSpec[];
  options?: readonly OptionSpec[];
  /** True when the caller asked for JSON, so that an error is printed as JSON too. Default: `--json`. */
  wantsJson?(flags: F): boolean;
  /** False for commands that read no configuration (keygen, demo): a broken config file cannot stop them. */
  usesConfig?: boolean;
  /** One or two command lines showing the command in use; `--help` prints them. */
  examples: readonly string[];
  /** The environment variables it reads (help.ts); default: the store's when it reads configuration, else none. */
  env?: readonly EnvName[];
}

/**
 * What a command's module provides. `F` is the raw flags as commander parses them, `O` the
 * command's options, `R` its result. Methods (not function properties) so that every command
 * fits the one table.
 */
export interface CommandImpl<F = Record<string, unknown>, O = unknown, R = unknown> {
  /** Maps parsed arguments and flags onto options; a bad flag value is a UsageError (exit 2). */
  toOptions(args: ParsedArgs, flags: F): O;
  /** The command: no argv, no commander. */
  run(options: NoInfer<O>, ctx: CliContext): Promise<R>;
  /** Writes the result (text, or JSON through json.ts) and returns the exit code. */
  report(result: NoInfer<R>, options: NoInfer<O>, ctx: CliContext): number | Promise<number>;
}

/** A table entry whose module is imported only when the command runs (the usual form). */
export interface LazyCommandSpec<F = never> extends CommandMeta<F> {
  load(): Promise<CommandImpl<never, unknown, unknown>>;
}

/** A command with its module loaded up front: metadata and implementation in one object. */
export interface CommandSpec<F = Record<string, unknown>, O = unknown, R = unknown> extends CommandMeta<F>, CommandImpl<F, O, R> {}

/** Any table entry. Prefer the lazy form: an eager entry's imports load on every start. */
export type TableEntry = LazyCommandSpec | CommandSpec<never, unknown, unknown>;

/** Type-checks a command module's implementation against its own flag, option and result types. */
export function implementCommand<F, O, R>(impl: CommandImpl<F, O, R>): CommandImpl<F, O, R> {
  return impl;
}

/** Type-checks an eager table entry (metadata and implementation together). */
export function defineCommand<F, O, R>(spec: CommandSpec<F, O, R>): CommandSpec<F, O, R> {
  return spec;
}

/** The argument at `i` as a string (commander has checked that required ones are present). */
export function argString(args: ParsedArgs, i: number): string {
  const a = args[i];
  return typeof a === 'string' ? a : Array.isArray(a) ? (a[0] ?? '') : '';
}

/** The variadic argument at `i` as a list. */
export function argList(args: ParsedArgs, i: number): string[] {
  const a = args[i];
  return Array.isArray(a) ? a : typeof a === 'string' ? [a] : [];
}

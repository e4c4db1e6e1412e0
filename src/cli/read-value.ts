/**
 * Secret values enter only through standard input or a hidden prompt, never argv or an
 * environment variable named on the command line.
 */
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

export async function readSecretValue(ctx: CliContext, name: string, keepNewline = false): Promise<string> {
  let value: string;
  if (ctx.io.stdinIsTTY) {
    value = await ctx.io.promptHidden(`Value for ${name} (hidden): `);
  } else {
    value = await ctx.io.readStdin();
    // `echo value | secretref …` adds one newline that is not part of the value.
    if (!keepNewline) value = value.replace(/\r?\n$/, '');
  }
  if (value.length === 0) throw new UsageError(`No value for ${name}: pipe it on standard input (printf %s "$VALUE" | secretref …) or type it at the prompt.`);
  return value;
}

/**
 * Secret values enter only through standard input or a hidden prompt, never argv or an
 * environment variable named on the command line.
 */
import { SecretrefError, nameProblem } from '../index.js';
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

export async function readSecretValue(ctx: CliContext, name: string, keepNewline = false): Promise<string> {
  // The name first: a value typed where the name belongs must not be echoed by the prompt or an error.
  const bad = nameProblem(name);
  if (bad !== undefined) throw new SecretrefError('INVALID_NAME', `The secret name is invalid: ${bad} (e.g. stripe_api_key).`, { path: '/name' });
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

/**
 * `secretref rekey --new-key-env VAR`: re-encrypts every row under the key in $VAR, in batches,
 * resumable. The new key is named by variable, never passed on argv.
 */
import { ENV, masterKeyFromEnv, type RekeyResult } from '../../index.js';
import { defineCommand } from '../command.js';
import { keyFilePath } from '../config.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt } from '../parse-args.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

export interface RekeyCommandOptions {
  /** The environment variable holding the new key. */
  newKeyEnv: string;
  batchSize: number;
}

export interface RekeyCommandResult {
  result: RekeyResult;
  /** The key file rewritten with the new key (embedded default store, key from the file). */
  keyFile?: string;
  /** The old key came from SECRETS_MASTER_KEY: the user must now set it to the new one. */
  fromEnv: boolean;
}

export async function rekey(options: RekeyCommandOptions, ctx: CliContext): Promise<RekeyCommandResult> {
  const newKey = ctx.io.env[options.newKeyEnv];
  if (!newKey) throw new UsageError(`${options.newKeyEnv} is not set; put the new key there (secretref keygen) and run again.`);
  const fromEnv = masterKeyFromEnv(ctx.io.env) !== undefined;
  const store = await ctx.openStore();
  const bar = progressBar(ctx, 'rekey');
  try {
    const result = await store.rekey(newKey, { onProgress: (p) => bar.update(p.done, p.total), batchSize: options.batchSize });
    bar.stop();
    const config = ctx.config();
    if (!fromEnv && config.embeddedDefault) {
      // Replaced atomically: a half-written key file would lose the key the rows are now under.
      const keyFile = keyFilePath(config, ctx.io);
      await writeFileAtomic(keyFile, `${newKey}\n`);
      return { result, keyFile, fromEnv };
    }
    return { result, fromEnv };
  } finally {
    bar.stop();
  }
}

export const rekeyCommand = defineCommand({
  name: 'rekey',
  examples: ['NEW_KEY="$(secretref keygen)" secretref rekey --new-key-env NEW_KEY'],
  description: 're-encrypt every secret under a new master key read from an environment variable',
  options: [
    { flags: '--new-key-env <VAR>', description: 'environment variable holding the new master key', required: true },
    { flags: '--batch-size <n>', description: 'rows per transaction', default: '100' },
  ],
  toOptions: (_args, flags: { newKeyEnv: string; batchSize: string }): RekeyCommandOptions => ({ newKeyEnv: flags.newKeyEnv, batchSize: parsePositiveInt(flags.batchSize, '--batch-size') }),
  run: rekey,
  report({ result, keyFile, fromEnv }, options, ctx) {
    if (keyFile !== undefined) ctx.err(`Updated the key file ${keyFile}.`);
    const others = Object.entries(result.otherKeys);
    ctx.err(`Re-encrypted ${result.rekeyed} secret(s) under key ${result.keyId}.${fromEnv ? ` Now set ${ENV.masterKey} to the value of ${options.newKeyEnv}.` : ''}`);
    if (others.length) ctx.err(`Left untouched (encrypted under other keys): ${others.map(([k, n]) => `${n} under ${k}`).join(', ')}.`);
    return 0;
  },
});

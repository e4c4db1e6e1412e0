import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { keyFilePath } from '../config.js';
import { parsePositiveInt } from '../parse-args.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

/**
 * `secretref rekey --new-key-env VAR`: re-encrypts every row under the key in $VAR, in batches,
 * resumable. The new key is named by variable, never passed on argv.
 */
export function registerRekey(program: Command, ctx: CliContext): void {
  program
    .command('rekey')
    .description('re-encrypt every secret under a new master key read from an environment variable')
    .requiredOption('--new-key-env <VAR>', 'environment variable holding the new master key')
    .option('--batch-size <n>', 'rows per transaction', '100')
    .action(async (opts: { newKeyEnv: string; batchSize: string }) => {
      const batchSize = parsePositiveInt(opts.batchSize, '--batch-size');
      const newKey = ctx.io.env[opts.newKeyEnv];
      if (!newKey) throw new UsageError(`${opts.newKeyEnv} is not set; put the new key there (secretref keygen) and run again.`);
      const usedKeyFile = !ctx.io.env.SECRETS_MASTER_KEY;
      const store = await ctx.openStore();
      const bar = progressBar(ctx, 'rekey');
      try {
        const result = await store.rekey(newKey, { onProgress: (p) => bar.update(p.done, p.total), batchSize });
        bar.stop();
        if (usedKeyFile && ctx.config().embeddedDefault) {
          // Replaced atomically: a half-written key file would lose the key the rows are now under.
          await writeFileAtomic(keyFilePath(ctx.config(), ctx.io), `${newKey}\n`);
          ctx.err(`Updated the key file ${keyFilePath(ctx.config(), ctx.io)}.`);
        }
        const others = Object.entries(result.otherKeys);
        ctx.err(`Re-encrypted ${result.rekeyed} secret(s) under key ${result.keyId}.${usedKeyFile ? '' : ` Now set SECRETS_MASTER_KEY to the value of ${opts.newKeyEnv}.`}`);
        if (others.length) ctx.err(`Left untouched (encrypted under other keys): ${others.map(([k, n]) => `${n} under ${k}`).join(', ')}.`);
      } finally {
        bar.stop();
      }
    });
}

/**
 * `secretref migrate --to URL [--from URL]`: copies every developer's secrets, with their
 * history, from the configured store (or `--from`) to another (Store.migrateTo): one transaction
 * per developer, resumable and idempotent, then a verification pass. The target's master key is
 * the same key unless `--to-key-env VAR` names the variable holding another one (never argv).
 */
import { resolve } from 'node:path';
import { openStore, type MigrateResult, type Store } from '../../index.js';
import { implementCommand } from '../command.js';
import { baselineWasmOnly, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';

export interface MigrateCommandOptions {
  to: string;
  from?: string;
  /** The environment variable holding the target's master key; default: the source's key. */
  toKeyEnv?: string;
  verify: boolean;
  json: boolean;
}

/** A `file:` path relative to the working folder, as the configuration resolves it. */
function absolute(url: string, cwd: string): string {
  return url.startsWith('file:') ? `file:${resolve(cwd, url.slice(5))}` : url;
}

export async function migrateCommandRun(options: MigrateCommandOptions, ctx: CliContext): Promise<MigrateResult> {
  const key = await ctx.masterKeyWithSource();
  let targetKey = { key: key.key, source: key.source };
  if (options.toKeyEnv !== undefined) {
    const k = ctx.io.env[options.toKeyEnv];
    if (!k) throw new UsageError(`${options.toKeyEnv} is not set; put the target store's master key there (secretref keygen for a new one).`);
    targetKey = { key: k, source: options.toKeyEnv };
  }
  const fromUrl = options.from !== undefined ? absolute(options.from, ctx.io.cwd) : ctx.config().url;
  const toUrl = absolute(options.to, ctx.io.cwd);
  if (fromUrl === toUrl) throw new UsageError('--to names the store migrate copies from; give another store.');
  await baselineWasmOnly(); // either side may be an embedded store
  const source: Store = options.from !== undefined ? await openStore({ url: fromUrl, masterKey: key.key, masterKeySource: key.source }) : await ctx.openStore({ masterKey: key.key, masterKeySource: key.source });
  const target = await openStore({ url: toUrl, masterKey: targetKey.key, masterKeySource: targetKey.source });
  const bar = progressBar(ctx, 'migrate');
  try {
    return await (source.migrateTo as NonNullable<Store['migrateTo']>).call(source, target, { verify: options.verify, onProgress: (p) => bar.update(p.done, p.total) });
  } finally {
    bar.stop();
    await target.close();
    if (options.from !== undefined) await source.close();
  }
}

type MigrateFlags = { to: string; from?: string; toKeyEnv?: string; verify?: boolean; json?: boolean };

export const migrateCommand = implementCommand({
  toOptions: (_args, flags: MigrateFlags): MigrateCommandOptions => ({
    to: flags.to,
    ...(flags.from !== undefined ? { from: flags.from } : {}),
    ...(flags.toKeyEnv !== undefined ? { toKeyEnv: flags.toKeyEnv } : {}),
    verify: flags.verify !== false,
    json: flags.json === true,
  }),
  run: migrateCommandRun,
  report(r, options, ctx) {
    if (options.json) ctx.json({ version: 1, ...r });
    else {
      ctx.err(`${r.developers} developer(s): ${r.copied} copied (${r.secrets} secret(s), ${r.auditRecords} audit record(s)), ${r.alreadyThere} already there.`);
      if (options.verify) ctx.err(r.verified ? 'Verified: every row of the target equals the source.' : `Verification found ${r.mismatches.length} difference(s):`);
      for (const m of r.mismatches.slice(0, 50)) ctx.err(`  developer ${m.developerId}${m.secretId ? `, secret id ${m.secretId}` : ''}: ${m.field}`);
    }
    return options.verify && !r.verified ? 1 : 0;
  },
});

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';

/** `secretref import --from-julep URL`: Julep's key comes from an environment variable, never argv. */
export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description("copy the secrets of a Julep deployment into this store (same developer ids; idempotent)")
    .requiredOption('--from-julep <url>', 'postgres:// URL of the Julep database')
    .option('--julep-key-env <VAR>', "environment variable holding Julep's SECRETS_MASTER_KEY", 'JULEP_SECRETS_MASTER_KEY')
    .option('--table <name>', "Julep's secrets table", 'secrets')
    .option('--only-this-developer', 'import only the configured developer (default: every developer in the table, each under its own id)')
    .option('--overwrite', 'replace values that differ from Julep')
    .option('--json', 'machine-readable counts')
    .action(async (opts: { fromJulep: string; julepKeyEnv: string; table: string; onlyThisDeveloper?: boolean; overwrite?: boolean; json?: boolean }) => {
      const julepKey = ctx.io.env[opts.julepKeyEnv];
      if (!julepKey) throw new UsageError(`${opts.julepKeyEnv} is not set; put Julep's SECRETS_MASTER_KEY there.`);
      // Loaded here so `pg` is not imported by every other command's start-up.
      const { importFromJulep } = await import('../../store/import-julep.js');
      const store = await ctx.openStore();
      const bar = progressBar(ctx, 'import');
      try {
        const r = await importFromJulep(store, {
          url: opts.fromJulep,
          julepKey,
          table: opts.table,
          ...(opts.onlyThisDeveloper ? { developerIds: [ctx.config().developerId] } : {}),
          overwrite: Boolean(opts.overwrite),
          onProgress: (n) => bar.update(n, Math.max(n, 1)),
        });
        bar.stop();
        if (opts.json) return ctx.json({ version: 1, ...r });
        ctx.err(`Read ${r.read} secret(s) of ${r.developers} developer(s): ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.conflicts} conflict(s)${r.conflicts ? ' (rerun with --overwrite to replace them)' : ''}.`);
      } finally {
        bar.stop();
      }
    });
}

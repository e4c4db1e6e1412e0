/**
 * `secretref import --from-julep URL`: a thin registrar over `importFromJulep` (src/import/).
 * Julep's key comes from an environment variable, never argv. Exit 1 when any row was skipped.
 */
import type { Command } from 'commander';
import type { JulepImportResult } from '../../index.js';
import type { CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';

interface ImportOpts {
  fromJulep: string;
  julepKeyEnv: string;
  table: string;
  onlyThisDeveloper?: boolean;
  overwrite?: boolean;
  json?: boolean;
}

export function registerImport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('import')
    .description('copy the secrets of a Julep deployment into this store (same developer ids, timestamps kept; idempotent)')
    .requiredOption('--from-julep <url>', 'postgres:// URL of the Julep database')
    .option('--julep-key-env <VAR>', "environment variable holding Julep's SECRETS_MASTER_KEY", 'JULEP_SECRETS_MASTER_KEY')
    .option('--table <name>', "Julep's secrets table", 'secrets')
    .option('--only-this-developer', 'import only the configured developer (default: every developer in the table, each under its own id)')
    .option('--overwrite', 'make value, description and metadata equal to Julep where they differ')
    .option('--json', 'machine-readable result (version 1)')
    .action(async (opts: ImportOpts) => {
      const julepKey = ctx.io.env[opts.julepKeyEnv];
      if (!julepKey) throw new UsageError(`${opts.julepKeyEnv} is not set; put Julep's SECRETS_MASTER_KEY there.`);
      // Loaded here so `pg` is not imported by every other command's start-up.
      const { importFromJulep } = await import('../../index.js');
      const store = await ctx.openStore();
      const bar = progressBar(ctx, 'import');
      let r: JulepImportResult;
      try {
        r = await importFromJulep(
          {
            url: opts.fromJulep,
            julepKey,
            table: opts.table,
            ...(opts.onlyThisDeveloper ? { developerIds: [ctx.config().developerId] } : {}),
            overwrite: Boolean(opts.overwrite),
          },
          { store, onProgress: (p) => bar.update(p.done, p.total) },
        );
      } finally {
        bar.stop();
      }
      if (opts.json) ctx.json(r);
      else for (const line of summary(r)) ctx.err(line);
      if (!r.ok) setExit(1);
    });
}

/** The text report: counts, then every skipped row and every conflict. Never a value. */
function summary(r: JulepImportResult): string[] {
  const lines = [
    `Read ${r.read} secret(s) of ${r.developers} developer(s): ${r.created} created, ${r.updated} updated, ` +
      `${r.unchanged} unchanged, ${r.conflicts} conflict(s), ${r.skipped} skipped.`,
  ];
  if (r.skipped) {
    lines.push('Skipped (not imported; fix them in Julep, then run the import again):');
    for (const s of r.skippedRows) {
      const why = s.problems.map((p) => `${p.code}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('; ');
      lines.push(`  developer ${s.developerId}, ${s.name} (secret_id ${s.secretId}): ${why}`);
    }
  }
  if (r.conflicts) {
    lines.push('Different from Julep, left as they are (rerun with --overwrite to replace them):');
    for (const c of r.conflictRows) lines.push(`  developer ${c.developerId}, ${c.name}: ${c.fields.join(', ')}`);
  }
  return lines;
}

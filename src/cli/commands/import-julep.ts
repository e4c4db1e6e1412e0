/**
 * `secretref import --from-julep URL`: a thin command over `importFromJulep` (src/import/).
 * Julep's key comes from an environment variable, never argv. Exit 1 when any row was skipped.
 */
import type { JulepImportResult } from '../../index.js';
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';

interface ImportFlags {
  fromJulep: string;
  julepKeyEnv: string;
  table: string;
  onlyThisDeveloper?: boolean;
  overwrite?: boolean;
  json?: boolean;
}

export interface ImportCommandOptions {
  url: string;
  /** The environment variable holding Julep's key (never the key itself). */
  julepKeyEnv: string;
  table: string;
  onlyThisDeveloper: boolean;
  overwrite: boolean;
  json: boolean;
}

export async function importJulep(options: ImportCommandOptions, ctx: CliContext): Promise<JulepImportResult> {
  const julepKey = ctx.io.env[options.julepKeyEnv];
  if (!julepKey) throw new UsageError(`${options.julepKeyEnv} is not set; put Julep's SECRETS_MASTER_KEY there.`);
  // Loaded here so `pg` is not imported by every other command's start-up.
  const { importFromJulep } = await import('../../index.js');
  const store = await ctx.openStore();
  const bar = progressBar(ctx, 'import');
  try {
    return await importFromJulep(
      {
        url: options.url,
        julepKey,
        table: options.table,
        ...(options.onlyThisDeveloper ? { developerIds: [ctx.config().developerId] } : {}),
        overwrite: options.overwrite,
      },
      { store, onProgress: (p) => bar.update(p.done, p.total) },
    );
  } finally {
    bar.stop();
  }
}

export const importCommand = implementCommand({
  toOptions: (_args, flags: ImportFlags): ImportCommandOptions => ({
    url: flags.fromJulep,
    julepKeyEnv: flags.julepKeyEnv,
    table: flags.table,
    onlyThisDeveloper: flags.onlyThisDeveloper === true,
    overwrite: flags.overwrite === true,
    json: flags.json === true,
  }),
  run: importJulep,
  report(r, options, ctx) {
    if (options.json) ctx.json(r);
    else for (const line of summary(r)) ctx.err(line);
    return r.ok ? 0 : 1;
  },
});

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

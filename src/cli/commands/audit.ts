/** `secretref audit`: who did what to which secret, when. Never values. */
import type { AuditEntry } from '../../index.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { auditJson } from '../json.js';
import { parsePositiveInt, parseTime } from '../parse-args.js';
import { printTable } from '../table-text.js';

export interface AuditCommandOptions {
  /** Only this secret. */
  secret?: string;
  since?: Date;
  limit: number;
}

export async function audit(options: AuditCommandOptions, ctx: CliContext): Promise<AuditEntry[]> {
  const store = await ctx.openStore();
  return store.scope(ctx.developerId()).audit({
    ...(options.secret ? { name: options.secret } : {}),
    ...(options.since ? { since: options.since } : {}),
    limit: options.limit,
  });
}

export const auditCommand = defineCommand({
  name: 'audit',
  examples: ['secretref audit --secret db_password --since 7d'],
  description: 'show the audit log of this developer (newest first; never values)',
  options: [
    { flags: '--secret <name>', description: 'only this secret' },
    { flags: '--since <time>', description: 'ISO date or duration back from now (7d)' },
    { flags: '--limit <n>', description: 'at most this many entries', default: '100' },
    { flags: '--json', description: 'machine-readable output (docs/cli.md)' },
  ],
  toOptions: (_args, flags: { secret?: string; since?: string; limit: string; json?: boolean }): AuditCommandOptions & { json: boolean } => ({
    limit: parsePositiveInt(flags.limit, '--limit'),
    ...(flags.secret ? { secret: flags.secret } : {}),
    ...(flags.since ? { since: parseTime(flags.since, '--since', Date.now(), -1) } : {}),
    json: flags.json === true,
  }),
  run: audit,
  report(entries, options, ctx) {
    if (options.json) ctx.json(auditJson(entries));
    else if (entries.length === 0) ctx.err('No audit entries.');
    else printTable(ctx, ['AT', 'ACTION', 'SECRET', 'DETAIL'], entries.map((e) => [e.at.toISOString(), e.action, e.name, Object.keys(e.detail).length ? JSON.stringify(e.detail) : '']));
    return 0;
  },
});

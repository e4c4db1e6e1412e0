import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parsePositiveInt, parseTime } from '../parse-args.js';
import { printTable } from './secrets.js';

/** `secretref audit`: who did what to which secret, when. Never values. */
export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('show the audit log of this developer (newest first; never values)')
    .option('--secret <name>', 'only this secret')
    .option('--since <time>', 'ISO date or duration back from now (7d)')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('--json', 'machine-readable output (see README)')
    .action(async (opts: { secret?: string; since?: string; limit: string; json?: boolean }) => {
      const store = await ctx.openStore();
      const limit = parsePositiveInt(opts.limit, '--limit');
      const entries = await store.scope(ctx.config().developerId).audit({
        ...(opts.secret ? { name: opts.secret } : {}),
        ...(opts.since ? { since: parseTime(opts.since, '--since', Date.now(), -1) } : {}),
        limit,
      });
      if (opts.json) {
        return ctx.json({ version: 1, entries: entries.map((e) => ({ at: e.at.toISOString(), developerId: e.developerId, secretId: e.secretId, name: e.name, action: e.action, detail: e.detail })) });
      }
      if (entries.length === 0) return ctx.err('No audit entries.');
      printTable(ctx, ['AT', 'ACTION', 'SECRET', 'DETAIL'], entries.map((e) => [e.at.toISOString(), e.action, e.name, Object.keys(e.detail).length ? JSON.stringify(e.detail) : '']));
    });
}

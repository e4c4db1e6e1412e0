/**
 * `secretref audit prune`: deletes every developer's audit records older than the retention
 * (`Store.pruneAudit`), as the owner of the store's tables — never a record younger than a day.
 * Meant for a scheduled job (docs/deployment.md#audit-volume-and-retention).
 */
import type { PruneAuditResult } from '../../index.js';
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { auditPruneJson } from '../json.js';
import { parsePositiveInt } from '../parse-args.js';

export interface AuditPruneOptions {
  /** Days to keep (default: the store's auditRetention, 90). */
  olderThan?: number;
  batchSize?: number;
}

export async function auditPrune(options: AuditPruneOptions, ctx: CliContext): Promise<PruneAuditResult> {
  const store = await ctx.openStore();
  if (!store.pruneAudit) throw new Error('internal: a store from openStore always has pruneAudit');
  return await store.pruneAudit({
    ...(options.olderThan !== undefined ? { retentionDays: options.olderThan } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
}

export const auditPruneCommand = implementCommand({
  toOptions: (_args, flags: { olderThan?: string; batchSize?: string; json?: boolean }): AuditPruneOptions & { json: boolean } => ({
    ...(flags.olderThan !== undefined ? { olderThan: parsePositiveInt(flags.olderThan, '--older-than') } : {}),
    ...(flags.batchSize !== undefined ? { batchSize: parsePositiveInt(flags.batchSize, '--batch-size') } : {}),
    json: flags.json === true,
  }),
  run: auditPrune,
  report(result, options, ctx) {
    if (options.json) ctx.json(auditPruneJson(result));
    else ctx.out(`Deleted ${result.deleted} audit record(s) older than ${result.before.toISOString()}.`);
    return 0;
  },
});

/**
 * Audit retention: deletes records older than the retention, in batches, each its own transaction
 * as the owner of the store's tables (statements.boundedAudit explains how this fits the
 * append-only audit). No ACCESS EXCLUSIVE lock as a rekey takes: reads and writes go on.
 */
import { SecretrefError } from '../errors.js';
import type { StoreContext } from './context.js';
import { errorSqlState } from './db-errors.js';
import * as st from './statements.js';
import type { PruneAuditOptions, PruneAuditResult } from './types.js';

const DAY_MS = 86_400_000;

/** Default of `auditRetention`, in days. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

/** An integer of days 1..36500 (`auditRetention`, `retentionDays`). */
export function checkRetentionDays(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > 36_500) {
    throw new SecretrefError('INVALID_INPUT', `${path.slice(1)} must be a whole number of days from 1 to 36500.`, { path });
  }
  return v;
}

function checkCount(v: unknown, path: string, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new SecretrefError('INVALID_INPUT', `${path.slice(1)} must be an integer from 1 to ${max}.`, { path });
  }
  return v;
}

export async function pruneAudit(ctx: StoreContext, retentionDays: number, opts: PruneAuditOptions = {}): Promise<PruneAuditResult> {
  const days = opts.retentionDays === undefined ? retentionDays : checkRetentionDays(opts.retentionDays, '/retentionDays');
  const batch = opts.batchSize === undefined ? 10_000 : checkCount(opts.batchSize, '/batchSize', 100_000);
  const max = opts.maxRecords === undefined ? Number.MAX_SAFE_INTEGER : checkCount(opts.maxRecords, '/maxRecords', Number.MAX_SAFE_INTEGER);
  const before = new Date(Date.now() - days * DAY_MS);
  let deleted = 0;
  for (;;) {
    const limit = Math.min(batch, max - deleted);
    let n: number;
    try {
      n = await ctx.maintenance.transaction(async (tx) => {
        await tx.exec(st.pruneAuditBegin(ctx).text);
        const s = st.pruneAuditBatch(ctx, { before, limit });
        const rows = await tx.query<{ n: number }>(s.text, s.params);
        await tx.exec(st.pruneAuditEnd(ctx).text);
        return rows[0]?.n ?? 0;
      });
    } catch (e) {
      if (errorSqlState(e) === '42501') throw notOwner(ctx.schema);
      throw e;
    }
    deleted += n;
    if (n < limit || deleted >= max) return { deleted, before };
  }
}

function notOwner(schema: string): SecretrefError {
  return new SecretrefError(
    'STORE_UNAVAILABLE',
    `Pruning the audit runs as the role that owns the store's tables (schema ${schema}), and this connection's role does not own them. ` +
      'Open the store with maintenanceUrl (or set SECRETREF_MAINTENANCE_DATABASE_URL) to a connection as that role.',
  );
}

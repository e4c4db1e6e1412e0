/**
 * Moving every developer's secrets from one store to another (`secretref migrate`): metadata,
 * policy, expiry, current and previous values with their grace deadlines, ids, versions,
 * timestamps and the whole audit history. Values are decrypted under the source's key and
 * encrypted under the target's, bound to their row, name and version and signed, by the same
 * building blocks every write uses (statements.ts).
 *
 * One developer is one transaction on the target, written only when the target holds nothing of
 * that developer: a run killed at any point leaves each developer wholly copied or not at all,
 * a rerun copies the rest, and a run with nothing left to copy changes nothing. A verification
 * pass then reads both stores and compares every field of every row.
 */
import { SecretrefError } from '../errors.js';
import { assertOpen, type StoreContext } from './context.js';
import { tampered } from './db-errors.js';
import { maintained } from './maintenance.js';
import * as st from './statements.js';
import type { MigrateMismatch, MigrateOptions, MigrateResult } from './types.js';

type ExportedSecret = {
  secret_id: string;
  name: string;
  description: string | null;
  metadata: Record<string, unknown>;
  version: number;
  expires_at: string | null;
  allowed_tools: string[] | null;
  allowed_hosts: string[] | null;
  previous_version: number | null;
  has_previous: boolean;
  previous_valid_until: string | null;
  created_at: string;
  updated_at: string;
  intact: boolean;
  value: string | null;
  previous_value: string | null;
};

type ExportedAudit = {
  secret_id: string | null;
  name: string | null;
  /** A read batch's names (migration 7), else null. */
  names: string[] | null;
  action: string;
  detail: Record<string, unknown>;
  at: string;
};

interface Developer {
  secrets: ExportedSecret[];
  audit: ExportedAudit[];
}

/** One developer's rows as `ctx` holds them, values decrypted; refuses rows it cannot carry whole. */
async function read(ctx: StoreContext, developerId: string): Promise<Developer> {
  return await maintained(ctx, async (run) => {
    const secrets = await run<ExportedSecret>(st.exportSecrets(ctx, { developerId, tenantKey: ctx.ring.tenantKey(developerId), keyId: ctx.ring.keyId }));
    const audit = await run<ExportedAudit>(st.exportAudit(ctx, developerId));
    return { secrets, audit };
  });
}

function check(d: Developer, developerId: string): void {
  const refused = d.secrets.filter((s) => !s.intact).map((s) => `the secret with id ${s.secret_id}`);
  if (refused.length > 0) {
    throw new SecretrefError(
      'ENCRYPTION_ERROR',
      `Developer ${developerId}: ${refused.length} secret(s) are not under the source's master key or fail their integrity check (${refused.slice(0, 3).join(', ')}). ` +
        'Open the source with the key they were written with, or finish an interrupted rekey first; nothing of this developer was copied.',
    );
  }
  const lost = d.secrets.filter((s) => s.has_previous && s.previous_value === null).map((s) => `the secret with id ${s.secret_id}`);
  if (lost.length > 0) throw tampered(lost);
}

/** Copies every developer `from` holds to `to` (see the file header), then verifies. */
export async function migrateStore(from: StoreContext, to: StoreContext, opts: MigrateOptions = {}): Promise<MigrateResult> {
  assertOpen(from);
  assertOpen(to);
  const developers = (await maintained(from, async (run) => await run<{ developer_id: string }>(st.migrationDevelopers(from)))).map((r) => r.developer_id);
  const result: MigrateResult = { developers: developers.length, copied: 0, alreadyThere: 0, secrets: 0, auditRecords: 0, verified: false, mismatches: [] };
  for (const [i, developerId] of developers.entries()) {
    const source = await read(from, developerId);
    check(source, developerId);
    const wrote = await maintained(to, async (run, tx) => {
      const [present] = await run<{ n: string | number }>(st.developerRowCount(to, developerId));
      if (Number(present?.n ?? 0) > 0) return null;
      const [out] = await run<{ secrets: string | number; audit: string | number; names: string[] }>(
        st.importDeveloper(to, {
          developerId,
          tenantKey: to.ring.tenantKey(developerId),
          keyId: to.ring.keyId,
          secrets: JSON.stringify(source.secrets),
          audit: JSON.stringify(source.audit),
        }),
      );
      if (out && out.names.length > 0) await to.hub.notify(tx, developerId, out.names);
      return { secrets: Number(out?.secrets ?? 0), audit: Number(out?.audit ?? 0), names: out?.names ?? [] };
    });
    if (wrote === null) result.alreadyThere++;
    else {
      result.copied++;
      result.secrets += wrote.secrets;
      result.auditRecords += wrote.audit;
      if (wrote.names.length > 0) to.hub.changed(developerId, wrote.names);
    }
    opts.onProgress?.({ done: i + 1, total: developers.length });
  }
  if (opts.verify !== false) {
    for (const developerId of developers) result.mismatches.push(...compare(developerId, await read(from, developerId), await read(to, developerId)));
    result.verified = result.mismatches.length === 0;
  }
  return result;
}

/** The fields a move keeps, of one secret (values compared, never reported). */
function comparable(s: ExportedSecret): Record<string, unknown> {
  return {
    name: s.name,
    description: s.description,
    metadata: s.metadata,
    version: s.version,
    expiresAt: s.expires_at,
    allowedTools: s.allowed_tools,
    allowedHosts: s.allowed_hosts,
    previousVersion: s.has_previous ? s.previous_version : null,
    previousValidUntil: s.previous_valid_until,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    intact: s.intact,
    value: s.value,
    previousValue: s.previous_value,
  };
}

/** Every difference between a developer's rows in the two stores, by secret id and field name. */
function compare(developerId: string, a: Developer, b: Developer): MigrateMismatch[] {
  const out: MigrateMismatch[] = [];
  const inB = new Map(b.secrets.map((s) => [s.secret_id, s]));
  for (const s of a.secrets) {
    const t = inB.get(s.secret_id);
    if (!t) {
      out.push({ developerId, secretId: s.secret_id, field: 'missing' });
      continue;
    }
    inB.delete(s.secret_id);
    const x = comparable(s);
    const y = comparable(t);
    for (const k of Object.keys(x)) if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) out.push({ developerId, secretId: s.secret_id, field: k });
  }
  for (const id of inB.keys()) out.push({ developerId, secretId: id, field: 'extra' });
  if (JSON.stringify(a.audit) !== JSON.stringify(b.audit)) out.push({ developerId, secretId: null, field: 'audit' });
  return out;
}

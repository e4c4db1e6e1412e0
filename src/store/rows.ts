/** Database rows → public objects. */
import type { AuditAction, AuditEntry, ImportField, ResolvedSecret, SecretInfo } from './types.js';

/** A row of `secret_info` (see migrations). */
export interface InfoRow {
  [k: string]: unknown;
  secret_id: string;
  developer_id: string;
  name: string;
  description: string | null;
  metadata: Record<string, unknown> | null;
  version: number;
  key_id: string;
  expires_at: Date | null;
  allowed_tools: string[] | null;
  allowed_hosts: string[] | null;
  created_at: Date;
  updated_at: Date;
  previous_version: number | null;
  previous_key_id: string | null;
  previous_valid_until: Date | null;
  value?: string | null;
  previous_value?: string | null;
  /** Reads: the row's HMAC checked (null: under another key, not checked). */
  intact?: boolean | null;
}

/** A row of a guarded write (statements.guardedResult): the written row, or null columns when nothing was written. */
export interface GuardedRow extends InfoRow {
  cur_key_id: string;
  /** The row found: intact (written), not intact (refused), null (under another key, refused). */
  cur_intact: boolean | null;
}

export interface AuditRow {
  [k: string]: unknown;
  audit_id: string | number | bigint;
  developer_id: string;
  secret_id: string | null;
  name: string;
  action: string;
  detail: Record<string, unknown> | null;
  at: Date;
  /** Every name of a read batch (migration 7); null on records of one secret. */
  names?: string[] | null;
}

function date(d: unknown): Date {
  return d instanceof Date ? d : new Date(String(d));
}

function maybeDate(d: unknown): Date | null {
  return d === null || d === undefined ? null : date(d);
}

export function toInfo(r: InfoRow): SecretInfo {
  const info: SecretInfo = {
    id: r.secret_id,
    developerId: r.developer_id,
    name: r.name,
    description: r.description,
    metadata: r.metadata ?? {},
    version: Number(r.version),
    keyId: r.key_id,
    expiresAt: maybeDate(r.expires_at),
    allowedTools: r.allowed_tools,
    allowedHosts: r.allowed_hosts,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
  if (r.previous_valid_until !== null && r.previous_version !== null && r.previous_key_id !== null) {
    info.previous = { version: Number(r.previous_version), keyId: r.previous_key_id, validUntil: date(r.previous_valid_until) };
  }
  return info;
}

export function toResolved(r: InfoRow, value: string): ResolvedSecret {
  return {
    name: r.name,
    value,
    version: Number(r.version),
    keyId: r.key_id,
    updatedAt: date(r.updated_at),
    expiresAt: maybeDate(r.expires_at),
    allowedTools: r.allowed_tools,
    allowedHosts: r.allowed_hosts,
  };
}

export function toAudit(r: AuditRow): AuditEntry {
  return {
    id: String(r.audit_id),
    at: date(r.at),
    developerId: r.developer_id,
    secretId: r.secret_id,
    name: r.name,
    names: r.names ?? [r.name],
    action: r.action as AuditAction,
    detail: r.detail ?? {},
  };
}

/** A row of `compareSecret`: which fields equal the given ones (`same_value` null: another key). */
export interface CompareRow {
  [k: string]: unknown;
  key_id: string;
  /** Null under another key. */
  intact: boolean | null;
  same_value: boolean | null;
  same_description: boolean;
  same_metadata: boolean;
}

/** The fields of a compared secret that differ, in a fixed order. */
export function differingFields(r: CompareRow): ImportField[] {
  const fields: ImportField[] = [];
  if (r.same_value === false) fields.push('value');
  if (!r.same_description) fields.push('description');
  if (!r.same_metadata) fields.push('metadata');
  return fields;
}

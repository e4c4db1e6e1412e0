/**
 * Every operation confined to one developer. Two walls: each statement filters on the developer
 * id, and on a server row-level security (keyed on a transaction-local setting the same statement
 * or transaction sets) hides other developers' rows from a statement that forgets to. Reads are
 * one round trip through a plpgsql function (it sets the setting, audits, decrypts); writes are
 * one transaction that also queues the change notification.
 */
import { randomUUID } from 'node:crypto';
import { SecretrefError } from '../errors.js';
import { assertOpen, wrongKey, type StoreContext } from './context.js';
import type { Queryable } from './driver.js';
import { PGP_OPTIONS, infoColumns, passphrase } from './sql.js';
import { toAudit, toInfo, toResolved, type AuditRow, type InfoRow } from './rows.js';
import type {
  AuditEntry,
  AuditQuery,
  CreateSecretInput,
  GetOptions,
  ListOptions,
  ListResult,
  ResolvedSecret,
  RotateOptions,
  ScopedStore,
  Secret,
  SecretInfo,
  UpdateSecretPatch,
} from './types.js';
import {
  checkName,
  checkNames,
  checkValue,
  encodeCursor,
  parseAudit,
  parseCreate,
  parseList,
  parseUpdate,
} from './validate.js';

/** Default grace period of `rotate`. */
export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;
const MAX_GRACE_MS = 366 * 24 * 60 * 60 * 1000;

function notFound(name: string): SecretrefError {
  return new SecretrefError('SECRET_NOT_FOUND', `No secret named ${name} exists for this developer.`, { name });
}

function duplicate(name: string): SecretrefError {
  return new SecretrefError(
    'DUPLICATE_NAME',
    `A secret named ${name} already exists for this developer; use update or rotate to change it.`,
    { name },
  );
}

function undecryptable(what: string, keyId: string, name?: string): SecretrefError {
  return new SecretrefError(
    'ENCRYPTION_ERROR',
    `Cannot decrypt ${what} with master key ${keyId}: the stored ciphertext does not belong to its row ` +
      '(copied from another secret or developer, or corrupted). Restore it from a backup or set it again.',
    name === undefined ? {} : { name },
  );
}

/** Re-throws with a message naming the operation; maps the codes a statement can produce. */
function rethrow(e: unknown, opts: { names?: string[]; keyId?: string; duplicateOf?: string }): never {
  if (e instanceof SecretrefError) {
    if (e.code === 'DUPLICATE_NAME' && opts.duplicateOf !== undefined) throw duplicate(opts.duplicateOf);
    const names = opts.names ?? [];
    if (e.code === 'ENCRYPTION_ERROR' && names.length && opts.keyId !== undefined && !e.message.includes(opts.keyId)) {
      const single = names.length === 1 ? names[0] : undefined;
      throw undecryptable(single ?? `one of ${names.length} requested secrets`, opts.keyId, single);
    }
    throw e;
  }
  throw e;
}

export class ScopedStoreImpl implements ScopedStore {
  constructor(
    private readonly ctx: StoreContext,
    readonly developerId: string,
  ) {}

  async create(input: CreateSecretInput): Promise<SecretInfo> {
    const p = parseCreate(input);
    const { s, x } = this.ctx;
    const ring = this.ctx.ring;
    try {
      return await this.write([p.name], async (tx) => {
        const rows = await tx.query<InfoRow>(
          `with ins as (
             insert into ${s}.secrets (secret_id, developer_id, name, description, value_encrypted, key_id,
                                      metadata, expires_at, allowed_tools, allowed_hosts)
             values ($1::uuid, $2::uuid, $3::text, $4::text,
                     ${x}.pgp_sym_encrypt($5::text, $6::text || ':' || $1::text, '${PGP_OPTIONS}'),
                     $7::text, $8::jsonb, $9::timestamptz, $10::text[], $11::text[])
             returning *
           ), logged as (
             insert into ${s}.audit (developer_id, secret_id, name, action, detail)
             select i.developer_id, i.secret_id, i.name, 'create', jsonb_build_object('version', i.version, 'keyId', i.key_id)
               from ins i
           )
           select ${infoColumns('ins')} from ins`,
          [
            randomUUID(),
            this.developerId,
            p.name,
            p.description,
            p.value,
            ring.tenantKey(this.developerId),
            ring.keyId,
            JSON.stringify(p.metadata),
            p.expiresAt?.toISOString() ?? null,
            p.allowedTools,
            p.allowedHosts,
          ],
        );
        return toInfo(one(rows));
      });
    } catch (e) {
      rethrow(e, { duplicateOf: p.name });
    }
  }

  async get(name: string, opts: GetOptions = {}): Promise<Secret> {
    checkName(name);
    const reveal = opts.reveal === true;
    const previous = reveal && opts.previous === true;
    const rows = await this.fetch([name], reveal ? 'reveal' : null, previous);
    const row = rows[0];
    if (!row) throw notFound(name);
    const secret: Secret = toInfo(row);
    if (!reveal) return secret;
    const keyId = this.ctx.ring.keyId;
    if (row.key_id !== keyId || row.value == null) throw wrongKey([name], [row.key_id], keyId);
    secret.value = row.value;
    if (previous && secret.previous) {
      if (row.previous_key_id !== keyId || row.previous_value == null) {
        throw wrongKey([name], [String(row.previous_key_id)], keyId);
      }
      secret.previous.value = row.previous_value;
    }
    return secret;
  }

  async list(opts: ListOptions = {}): Promise<ListResult> {
    const p = parseList(opts);
    assertOpen(this.ctx);
    const rows = await this.ctx.driver.query<InfoRow>(
      `select * from ${this.ctx.s}.list_page($1::uuid, $2::text, $3::text, $4::jsonb, $5::integer)`,
      [this.developerId, p.after, p.prefix, p.metadata === null ? null : JSON.stringify(p.metadata), p.limit + 1],
    );
    const items = rows.slice(0, p.limit).map(toInfo);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > p.limit && last ? encodeCursor(last.name) : null };
  }

  async update(name: string, patch: UpdateSecretPatch): Promise<SecretInfo> {
    checkName(name);
    const p = parseUpdate(patch);
    const { s, x } = this.ctx;
    const ring = this.ctx.ring;
    const renamed = p.name !== undefined && p.name !== name ? p.name : undefined;
    const sets: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown, cast: string): string => {
      params.push(v);
      return `$${params.length + 1}::${cast}`; // $1 is the secret id
    };
    const fields: string[] = [];
    if (p.value !== undefined) {
      sets.push(
        `value_encrypted = ${x}.pgp_sym_encrypt(${param(p.value, 'text')}, ${param(ring.tenantKey(this.developerId), 'text')} || ':' || secret_id::text, '${PGP_OPTIONS}')`,
        `key_id = ${param(ring.keyId, 'text')}`,
        'version = version + 1',
        'previous_value_encrypted = null, previous_key_id = null, previous_version = null, previous_valid_until = null',
      );
      fields.push('value');
    }
    if (renamed !== undefined) sets.push(`name = ${param(renamed, 'text')}`);
    if (p.description !== undefined) {
      sets.push(`description = ${param(p.description, 'text')}`);
      fields.push('description');
    }
    if (p.metadata !== undefined) {
      if (p.metadata === null) {
        sets.push(`metadata = '{}'::jsonb`);
      } else {
        const set = Object.fromEntries(Object.entries(p.metadata).filter(([, v]) => v !== null));
        const remove = Object.entries(p.metadata).filter(([, v]) => v === null).map(([k]) => k);
        sets.push(`metadata = (metadata || ${param(JSON.stringify(set), 'jsonb')}) - ${param(remove, 'text[]')}`);
      }
      fields.push('metadata');
    }
    if (p.expiresAt !== undefined) {
      sets.push(`expires_at = ${param(p.expiresAt?.toISOString() ?? null, 'timestamptz')}`);
      fields.push('expiresAt');
    }
    if (p.allowedTools !== undefined) {
      sets.push(`allowed_tools = ${param(p.allowedTools, 'text[]')}`);
      fields.push('allowedTools');
    }
    if (p.allowedHosts !== undefined) {
      sets.push(`allowed_hosts = ${param(p.allowedHosts, 'text[]')}`);
      fields.push('allowedHosts');
    }
    if (sets.length === 0) {
      if (p.name !== undefined) return toInfo(await this.mustFetch(name));
      throw new SecretrefError('INVALID_INPUT', 'update needs at least one field to change.');
    }
    try {
      return await this.write(renamed ? [name, renamed] : [name], async (tx) => {
        const id = await this.lockRow(tx, name);
        const rows = await tx.query<InfoRow>(
          `update ${s}.secrets set ${sets.join(', ')}, updated_at = now()
            where secret_id = $1::uuid returning ${infoColumns(`${s}.secrets`)}`,
          [id, ...params],
        );
        const info = toInfo(one(rows));
        if (renamed !== undefined) await this.log(tx, id, renamed, 'rename', { from: name, to: renamed });
        if (fields.length) await this.log(tx, id, info.name, 'update', { fields, version: info.version });
        return info;
      });
    } catch (e) {
      rethrow(e, renamed === undefined ? {} : { duplicateOf: renamed });
    }
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    const { s } = this.ctx;
    await this.write([name], async (tx) => {
      const rows = await tx.query(
        `with del as (
           delete from ${s}.secrets t where t.developer_id = $1::uuid and t.name = $2::text
           returning t.developer_id, t.secret_id, t.name, t.version
         )
         insert into ${s}.audit (developer_id, secret_id, name, action, detail)
         select d.developer_id, d.secret_id, d.name, 'delete', jsonb_build_object('version', d.version) from del d
         returning secret_id`,
        [this.developerId, name],
      );
      if (rows.length === 0) throw notFound(name);
    });
  }

  async rotate(name: string, value: string, opts: RotateOptions = {}): Promise<SecretInfo> {
    checkName(name);
    checkValue(value);
    const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    if (typeof graceMs !== 'number' || !Number.isFinite(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
      throw new SecretrefError('INVALID_INPUT', `graceMs must be a number of milliseconds between 0 and ${MAX_GRACE_MS}.`, {
        path: '/graceMs',
      });
    }
    const { s, x } = this.ctx;
    const ring = this.ctx.ring;
    return await this.write([name], async (tx) => {
      const rows = await tx.query<InfoRow>(
        `with upd as (
           update ${s}.secrets t set
             previous_value_encrypted = case when $5::float8 > 0 then t.value_encrypted end,
             previous_key_id = case when $5::float8 > 0 then t.key_id end,
             previous_version = case when $5::float8 > 0 then t.version end,
             previous_valid_until = case when $5::float8 > 0 then now() + $5::float8 * interval '1 millisecond' end,
             value_encrypted = ${x}.pgp_sym_encrypt($3::text, ${passphrase('$4::text', 't')}, '${PGP_OPTIONS}'),
             key_id = $6::text,
             version = t.version + 1,
             updated_at = now()
           where t.developer_id = $1::uuid and t.name = $2::text
           returning t.*
         ), logged as (
           insert into ${s}.audit (developer_id, secret_id, name, action, detail)
           select u.developer_id, u.secret_id, u.name, 'rotate',
                  jsonb_build_object('version', u.version, 'keyId', u.key_id, 'graceUntil', u.previous_valid_until)
             from upd u
         )
         select ${infoColumns('upd')} from upd`,
        [this.developerId, name, value, ring.tenantKey(this.developerId), graceMs, ring.keyId],
      );
      const row = rows[0];
      if (!row) throw notFound(name);
      return toInfo(row);
    });
  }

  async rollback(name: string): Promise<SecretInfo> {
    checkName(name);
    const { s } = this.ctx;
    return await this.write([name], async (tx) => {
      const cur = await tx.query<{ secret_id: string; previous_version: number | null }>(
        `select secret_id, case when previous_valid_until > now() then previous_version end as previous_version
           from ${s}.secrets where developer_id = $1::uuid and name = $2::text for update`,
        [this.developerId, name],
      );
      const row = cur[0];
      if (!row) throw notFound(name);
      if (row.previous_version === null) {
        throw new SecretrefError(
          'INVALID_INPUT',
          `${name} has no previous value to roll back to (it was never rotated, or its grace period ended).`,
          { name },
        );
      }
      const rows = await tx.query<InfoRow>(
        `update ${s}.secrets set value_encrypted = previous_value_encrypted, key_id = previous_key_id,
                version = version + 1, updated_at = now(),
                previous_value_encrypted = null, previous_key_id = null, previous_version = null, previous_valid_until = null
          where secret_id = $1::uuid returning ${infoColumns(`${s}.secrets`)}`,
        [row.secret_id],
      );
      const info = toInfo(one(rows));
      await this.log(tx, row.secret_id, name, 'rollback', { version: info.version, restoredVersion: row.previous_version });
      return info;
    });
  }

  async resolveMany(names: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [n, r] of await this.resolveDetailed(names)) out.set(n, r.value);
    return out;
  }

  async resolveDetailed(names: Iterable<string>): Promise<Map<string, ResolvedSecret>> {
    const list = checkNames(names);
    const out = new Map<string, ResolvedSecret>();
    if (list.length === 0) return out;
    const keyId = this.ctx.ring.keyId;
    const rows = await this.fetch(list, 'resolve', false);
    const foreign = rows.filter((r) => r.key_id !== keyId || r.value == null);
    if (foreign.length) throw wrongKey(foreign.map((r) => r.name), foreign.map((r) => r.key_id), keyId);
    for (const r of rows) out.set(r.name, toResolved(r, r.value as string));
    return out;
  }

  async inspectMany(names: Iterable<string>): Promise<Map<string, SecretInfo>> {
    const list = checkNames(names);
    const out = new Map<string, SecretInfo>();
    if (list.length === 0) return out;
    for (const r of await this.fetch(list, null, false)) out.set(r.name, toInfo(r));
    return out;
  }

  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const q = parseAudit(query);
    assertOpen(this.ctx);
    const rows = await this.ctx.driver.query<AuditRow>(
      `select * from ${this.ctx.s}.audit_page($1::uuid, $2::text, $3::timestamptz, $4::integer)`,
      [this.developerId, q.name, q.since?.toISOString() ?? null, q.limit],
    );
    return rows.map(toAudit);
  }

  /** One round trip: the function sets the tenant, audits `action` (if any) and decrypts. */
  private async fetch(names: string[], action: 'resolve' | 'reveal' | null, previous: boolean): Promise<InfoRow[]> {
    assertOpen(this.ctx);
    const ring = this.ctx.ring;
    try {
      return await this.ctx.driver.query<InfoRow>(
        `select * from ${this.ctx.s}.fetch($1::uuid, $2::text[], $3::text, $4::text, $5::text, $6::boolean)`,
        [
          this.developerId,
          names,
          action,
          action === null ? null : ring.tenantKey(this.developerId),
          action === null ? null : ring.keyId,
          previous,
        ],
      );
    } catch (e) {
      rethrow(e, { names, keyId: ring.keyId });
    }
  }

  private async mustFetch(name: string): Promise<InfoRow> {
    const row = (await this.fetch([name], null, false))[0];
    if (!row) throw notFound(name);
    return row;
  }

  private async lockRow(tx: Queryable, name: string): Promise<string> {
    const rows = await tx.query<{ secret_id: string }>(
      `select secret_id from ${this.ctx.s}.secrets where developer_id = $1::uuid and name = $2::text for update`,
      [this.developerId, name],
    );
    const id = rows[0]?.secret_id;
    if (id === undefined) throw notFound(name);
    return id;
  }

  private async log(tx: Queryable, secretId: string, name: string, action: string, detail: object): Promise<void> {
    await tx.query(
      `insert into ${this.ctx.s}.audit (developer_id, secret_id, name, action, detail) values ($1::uuid, $2::uuid, $3::text, $4::text, $5::jsonb)`,
      [this.developerId, secretId, name, action, JSON.stringify(detail)],
    );
  }

  /** One transaction for this developer; announces `names` once committed. */
  private async write<T>(names: string[], fn: (tx: Queryable) => Promise<T>): Promise<T> {
    assertOpen(this.ctx);
    const out = await this.ctx.driver.transaction(async (tx) => {
      await tx.query(`select ${this.ctx.s}.begin_tenant($1::uuid)`, [this.developerId]);
      const result = await fn(tx);
      await this.ctx.hub.notify(tx, this.developerId, names);
      return result;
    });
    this.ctx.hub.changed(this.developerId, names);
    return out;
  }
}

function one<R>(rows: R[]): R {
  const r = rows[0];
  if (r === undefined) throw new SecretrefError('STORE_UNAVAILABLE', 'The database returned no row where one was expected.');
  return r;
}

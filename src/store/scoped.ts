/**
 * Every operation confined to one developer, each as parse → named statement (statements.ts) →
 * map (rows.ts). Two walls: every statement filters on the developer id, and on a server
 * row-level security (keyed on a transaction-local setting) hides other developers' rows from a
 * statement that forgets to. Reads are one round trip through a plpgsql function that sets the
 * setting, audits and decrypts (its body is `sqlFunctions` in statements.ts); writes are one
 * transaction that also queues the change notification.
 */
import { randomUUID } from 'node:crypto';
import { SecretrefError } from '../errors.js';
import { INTERNAL_LIMITS } from '../limits.js';
import { assertOpen, type StoreContext } from './context.js';
import { notFound, otherKeyWrite, statementError, tampered, wrongKey, type StatementSubject } from './db-errors.js';
import type { Queryable, Row } from './driver.js';
import { differingFields, toAudit, toInfo, toResolved, type AuditRow, type CompareRow, type GuardedRow, type InfoRow } from './rows.js';
import * as st from './statements.js';
import type {
  AuditEntry,
  AuditQuery,
  CreateSecretInput,
  GetOptions,
  ImportSecretInput,
  ImportSecretOptions,
  ImportSecretResult,
  ListNamesOptions,
  ListOptions,
  ListResult,
  ResolvedSecret,
  RotateOptions,
  ScopedStore,
  Secret,
  SecretInfo,
  UpdateSecretPatch,
} from './types.js';
import type * as Inputs from './validate-input.js';
import * as v from './validate.js';

/** The zod schemas of structured inputs, loaded by the first operation that takes one: a resolution never does (start-up time). */
const inputs = (): Promise<typeof Inputs> => import('./validate-input.js');

/** A row of `begin_write`. */
interface GuardRow {
  [k: string]: unknown;
  allowed: boolean;
  row_key: string | null;
  rekey_keys: string[] | null;
}

async function run<R extends Row>(q: Queryable, s: st.Statement): Promise<R[]> {
  return await q.query<R>(s.text, s.params);
}

export class ScopedStoreImpl implements ScopedStore {
  constructor(
    private readonly ctx: StoreContext,
    readonly developerId: string,
  ) {}

  async create(input: CreateSecretInput): Promise<SecretInfo> {
    const secret = (await inputs()).parseCreate(input);
    const statement = st.insertSecret(this.ctx, { ...this.tenant(), secretId: randomUUID(), secret });
    return await this.write([secret.name], async (tx) => toInfo(one(await run<InfoRow>(tx, statement))), {
      duplicateOf: secret.name,
    });
  }

  async get(name: string, opts: GetOptions = {}): Promise<Secret> {
    v.checkName(name);
    const reveal = opts.reveal === true;
    const previous = reveal && opts.previous === true;
    const row = (await this.fetch([name], reveal ? 'reveal' : null, previous))[0];
    if (!row) throw notFound(name);
    const secret: Secret = toInfo(row);
    if (!reveal) return secret;
    const keyId = this.ctx.ring.keyId;
    if (row.key_id !== keyId || row.value == null) throw wrongKey([name], [row.key_id], keyId);
    secret.value = row.value;
    if (previous && secret.previous) {
      if (row.previous_key_id !== keyId || row.previous_value == null) throw wrongKey([name], [String(row.previous_key_id)], keyId);
      secret.previous.value = row.previous_value;
    }
    return secret;
  }

  async list(opts: ListOptions = {}): Promise<ListResult> {
    const p = (await inputs()).parseList(opts);
    const { tenantKey, keyId } = this.tenant();
    const rows = await this.read<InfoRow>(st.listPage(this.ctx, { developerId: this.developerId, ...p, limit: p.limit + 1, tenantKey, keyId }));
    refuseTampered(rows);
    const items = rows.slice(0, p.limit).map(toInfo);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > p.limit && last ? v.encodeCursor(last.name) : null };
  }

  async *listNames(opts: ListNamesOptions = {}): AsyncIterableIterator<string> {
    const { prefix, max, lengths } = (await inputs()).parseListNames(opts);
    let after: string | null = null;
    for (let left = max; left > 0; ) {
      const limit = Math.min(left, INTERNAL_LIMITS.listNamesPage);
      const rows: { name: string }[] = await this.read(st.listNames(this.ctx, { developerId: this.developerId, after, prefix, limit, lengths }));
      for (const r of rows) yield r.name;
      left -= rows.length;
      after = rows[rows.length - 1]?.name ?? null;
      if (rows.length < limit) return;
    }
  }

  async update(name: string, patch: UpdateSecretPatch): Promise<SecretInfo> {
    v.checkName(name);
    const { change, rename, sameName } = (await inputs()).parseChange(name, patch);
    if (Object.keys(change).length === 0) {
      if (sameName) return toInfo(await this.mustInspect(name));
      throw new SecretrefError('INVALID_INPUT', 'update needs at least one field to change.');
    }
    const statement = st.updateSecret(this.ctx, { ...this.tenant(), name, change });
    return await this.write(rename ? [name, rename] : [name], async (tx) => this.guarded(await run<GuardedRow>(tx, statement), name), {
      ...(rename !== undefined ? { duplicateOf: rename } : {}),
    });
  }

  async delete(name: string): Promise<void> {
    v.checkName(name);
    const statement = st.deleteSecret(this.ctx, { developerId: this.developerId, name });
    await this.write([name], async (tx) => void (await found(run(tx, statement), name)));
  }

  async rotate(name: string, value: string, opts: RotateOptions = {}): Promise<SecretInfo> {
    v.checkName(name);
    v.checkValue(value);
    const graceMs = v.checkGraceMs(opts.graceMs);
    const statement = st.rotateSecret(this.ctx, { ...this.tenant(), name, value, graceMs });
    return await this.write([name], async (tx) => this.guarded(await run<GuardedRow>(tx, statement), name));
  }

  async rollback(name: string): Promise<SecretInfo> {
    v.checkName(name);
    const statement = st.rollbackSecret(this.ctx, { ...this.tenant(), name });
    return await this.write([name], async (tx) => {
      const rows = await run<GuardedRow>(tx, statement);
      if (rows.length) return this.guarded(rows, name);
      if (!(await run(tx, st.describe(this.ctx, { developerId: this.developerId, name })))[0]) throw notFound(name);
      throw new SecretrefError(
        'INVALID_INPUT',
        `${name} has no previous value to roll back to (it was never rotated, or its grace period ended).`,
        { name },
      );
    });
  }

  async resolveMany(names: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [n, r] of await this.resolveDetailed(names)) out.set(n, r.value);
    return out;
  }

  async resolveDetailed(names: Iterable<string>): Promise<Map<string, ResolvedSecret>> {
    const list = v.checkNames(names);
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
    const list = v.checkNames(names);
    const out = new Map<string, SecretInfo>();
    if (list.length === 0) return out;
    for (const r of await this.fetch(list, null, false)) out.set(r.name, toInfo(r));
    return out;
  }

  async importSecret(input: ImportSecretInput, opts: ImportSecretOptions): Promise<ImportSecretResult> {
    const p = (await inputs()).parseImport(input);
    const { source, overwrite } = (await inputs()).parseImportOptions(opts);
    const provenance = { importedFrom: source };
    const tenant = this.tenant();
    let result: ImportSecretResult = { outcome: 'unchanged', fields: [] };
    await this.write(
      () => (result.outcome === 'created' || result.outcome === 'updated' ? [p.name] : []),
      async (tx) => {
        const same = (await run<CompareRow>(tx, st.compareSecret(this.ctx, { ...tenant, ...p })))[0];
        if (!same) {
          const secret = { ...p, expiresAt: null, allowedTools: null, allowedHosts: null };
          await run(tx, st.insertSecret(this.ctx, { ...tenant, secretId: randomUUID(), secret, createdAt: p.createdAt, updatedAt: p.updatedAt, provenance }));
          result = { outcome: 'created', fields: [] };
          return;
        }
        if (same.intact === false) throw tampered([p.name]);
        if (same.same_value === null) throw wrongKey([p.name], [same.key_id], tenant.keyId);
        const fields = differingFields(same);
        result = { outcome: fields.length === 0 ? 'unchanged' : overwrite ? 'updated' : 'conflict', fields };
        if (result.outcome !== 'updated') return;
        const change: st.SecretChange = {
          ...(fields.includes('value') ? { value: p.value } : {}),
          ...(fields.includes('description') ? { description: p.description } : {}),
          ...(fields.includes('metadata') ? { metadata: { replace: p.metadata } } : {}),
        };
        this.guarded(await run<GuardedRow>(tx, st.updateSecret(this.ctx, { ...tenant, name: p.name, change, provenance })), p.name);
      },
      { names: [p.name], keyId: tenant.keyId, duplicateOf: p.name },
    );
    return result;
  }

  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const q = (await inputs()).parseAudit(query);
    // With `readUrl`: the records still buffered go first, and the audit is read where it is written.
    await this.ctx.reads?.audit.flush();
    return (await this.read<AuditRow>(st.auditPage(this.ctx, { developerId: this.developerId, ...q }), {}, true)).map(toAudit);
  }

  /** The row of a guarded write (statements.guardedResult): written, or why not. */
  private guarded(rows: GuardedRow[], name: string): SecretInfo {
    const r = rows[0];
    if (r === undefined) throw notFound(name);
    if (r.cur_intact === null) throw wrongKey([name], [r.cur_key_id], this.ctx.ring.keyId);
    if (r.cur_intact === false) throw tampered([name]);
    return toInfo(r);
  }

  private tenant(): st.Tenant {
    const ring = this.ctx.ring;
    return { developerId: this.developerId, tenantKey: ring.tenantKey(this.developerId), keyId: ring.keyId };
  }

  /**
   * One round trip: the function sets the tenant, audits `action` (if any) and decrypts. With
   * `readUrl`, on the standby: values through `read_unlogged`, their audit record buffered for the
   * primary (replica.ts); on a primary (or when the read falls back to it), audited as always.
   */
  private async fetch(names: string[], action: 'resolve' | 'reveal' | null, previous: boolean): Promise<InfoRow[]> {
    // Under the key, every read checks each row's HMAC (descriptions included). A store opened
    // without it reads descriptions only, unauthenticated (NO_KEY matches no row's key id).
    const t = action === null && this.ctx.ring.withoutKey ? { tenantKey: '', keyId: this.ctx.ring.keyId } : this.tenant();
    const args = { developerId: this.developerId, names, tenantKey: t.tenantKey, keyId: t.keyId, previous };
    const statement = st.fetch(this.ctx, { ...args, action });
    const subject = { names, keyId: this.ctx.ring.keyId };
    const reads = this.ctx.reads;
    let rows: InfoRow[];
    if (reads === undefined || action === null) rows = await this.read<InfoRow>(statement, subject);
    else {
      assertOpen(this.ctx);
      await reads.audit.reserve();
      let buffered = false;
      try {
        rows = await reads.read(
          async (tx, standby) => {
            buffered = standby;
            return await run<InfoRow>(tx, standby ? st.fetchUnlogged(this.ctx, args) : statement);
          },
          async (q) => {
            buffered = false;
            return await run<InfoRow>(q, statement);
          },
        );
      } catch (e) {
        reads.audit.release();
        throw statementError(e, subject);
      }
      if (buffered) reads.audit.add(this.developerId, action, rows);
      else reads.audit.release();
    }
    for (const r of rows) {
      r.value = utf8(r.value);
      r.previous_value = utf8(r.previous_value);
    }
    refuseTampered(rows);
    return rows;
  }

  private async mustInspect(name: string): Promise<InfoRow> {
    const row = (await this.fetch([name], null, false))[0];
    if (!row) throw notFound(name);
    return row;
  }

  /** A read that writes nothing: on the standby with `readUrl` (replica.ts), else on `url`. `primary`: on `url` always. */
  private async read<R extends Row>(statement: st.Statement, subject: StatementSubject = {}, primary = false): Promise<R[]> {
    assertOpen(this.ctx);
    const reads = this.ctx.reads;
    try {
      if (reads === undefined || primary) return await run<R>(this.ctx.driver, statement);
      return await reads.read(
        (tx) => run<R>(tx, statement),
        (q) => run<R>(q, statement),
      );
    } catch (e) {
      throw statementError(e, subject);
    }
  }

  /** One transaction for this developer; announces the names written once committed. */
  private async write<T>(
    names: readonly string[] | (() => readonly string[]),
    fn: (tx: Queryable) => Promise<T>,
    subject: StatementSubject = {},
  ): Promise<T> {
    assertOpen(this.ctx);
    // Every write signs or guards rows under the key: a store opened without it writes nothing.
    if (this.ctx.ring.withoutKey) this.ctx.ring.tenantKey(this.developerId);
    const written = (): readonly string[] => (typeof names === 'function' ? names() : names);
    try {
      const out = await this.ctx.driver.transaction(async (tx) => {
        const keyId = this.ctx.ring.keyId;
        const guard = (await run<GuardRow>(tx, st.beginWrite(this.ctx, { developerId: this.developerId, keyId })))[0];
        if (!guard?.allowed) {
          const about = typeof names === 'function' ? (subject.names ?? []) : names;
          throw otherKeyWrite(about, keyId, guard?.row_key ?? 'unknown', guard?.rekey_keys ?? null);
        }
        const result = await fn(tx);
        if (written().length) await this.ctx.hub.notify(tx, this.developerId, [...written()]);
        return result;
      });
      this.ctx.hub.changed(this.developerId, [...written()]);
      return out;
    } catch (e) {
      throw statementError(e, subject);
    }
  }
}

/** Rows that fail their integrity check are refused, all of them named: nothing of them is used. */
function refuseTampered(rows: readonly InfoRow[]): void {
  const bad = rows.filter((r) => r.intact === false);
  if (bad.length) throw tampered(bad.map((r) => r.name));
}

/** A value read as bytes (see st.fetch), decoded keeping a leading U+FEFF. */
function utf8(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : String(v);
}

/** The one row a statement about `name` returns; none means there is no such secret. */
async function found<R>(rows: Promise<R[]>, name: string): Promise<R> {
  const r = (await rows)[0];
  if (r === undefined) throw notFound(name);
  return r;
}

function one<R>(rows: R[]): R {
  const r = rows[0];
  if (r === undefined) throw new SecretrefError('STORE_UNAVAILABLE', 'The database returned no row where one was expected.');
  return r;
}

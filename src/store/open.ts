/**
 * openStore: picks the backend from the URL, checks the master key before touching the database,
 * migrates, and hands out developer-scoped views.
 */
import { fileURLToPath } from 'node:url';
import { SecretrefError } from '../errors.js';
import { DEFAULT_SCHEMA, DEFAULT_STORE_URL, checkDeveloperId } from './defaults.js';
import { assertOpen, type StoreContext } from './context.js';
import { loadKeyRing, NO_KEY } from './crypto-key.js';
import type { Counter, Driver } from './driver.js';
import { migrateStore } from './migrate.js';
import { currentSchema, migrate } from './migrations.js';
import { ChangeHub } from './notify.js';
import type { ReadFence, ReplicaReads } from './replica.js';
import { DEFAULT_AUDIT_RETENTION_DAYS, checkRetentionDays, pruneAudit } from './prune.js';
import { rebind } from './rebind.js';
import { rekey } from './rekey.js';
import { ScopedStoreImpl } from './scoped.js';
import { quoteIdent, quoteSchema } from './sql.js';
import * as st from './statements.js';
import type { SqlNames } from './statements.js';
import { inspectModes } from './file-modes.js';
import type { ConnectionBudget, FolderModesReport, MigrateOptions, MigrateResult, NotificationStatus, OpenStoreOptions, PruneAuditOptions, PruneAuditResult, ReadReplicaStatus, RekeyOptions, RekeyResult, RoleReport, ScopedStore, Store, StoreListener, StoreStats } from './types.js';

/** Default of OpenStoreOptions.onWarning: a process warning, printed by Node on stderr. */
function emitWarning(message: string, code: string): void {
  process.emitWarning(message, { type: 'SecretrefWarning', code });
}

type Location =
  | { kind: 'server'; url: string }
  | { kind: 'file'; path: string }
  | { kind: 'memory'; name: string | undefined };

/** Parses a store URL. Errors never echo it (it may hold a password). */
export function parseStoreUrl(url: string): Location {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'server', url };
  if (url.startsWith('file://')) return { kind: 'file', path: fileURLToPath(url) };
  if (url.startsWith('file:') && url.length > 5) return { kind: 'file', path: url.slice(5) };
  if (url === 'memory:') return { kind: 'memory', name: undefined };
  if (url.startsWith('memory:')) return { kind: 'memory', name: url.slice(7) };
  throw new SecretrefError(
    'INVALID_INPUT',
    'Unsupported store URL: use postgres://…, postgresql://…, file:PATH or memory:.',
    { path: '/url' },
  );
}

/**
 * Opens the encrypted secret store (SPEC §2, §7). `url` defaults to SECRETREF_DATABASE_URL, then
 * `file:.secretref/db`; `masterKey` defaults to SECRETS_MASTER_KEY (missing → MASTER_KEY_MISSING,
 * weak → MASTER_KEY_WEAK). Migrations run at open. Close the store when done.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const ring = options.withoutKey === true ? NO_KEY : loadKeyRing(options.masterKey, options.masterKeySource);
  const auditRetention = options.auditRetention === undefined ? DEFAULT_AUDIT_RETENTION_DAYS : checkRetentionDays(options.auditRetention, '/auditRetention');
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchema(schema);
  const loc = parseStoreUrl(options.url ?? (process.env.SECRETREF_DATABASE_URL || DEFAULT_STORE_URL));
  const counter: Counter = { queries: 0 };
  let budget: StaticBudget = { pool: 0, listenTo: null, maintenance: 0, read: 0 };
  let driver: Driver;
  let maintenance: Driver | undefined;
  let readPool: Driver | undefined;
  let replica: { url: string; fence: ReadFence } | undefined;
  for (const key of ['maintenanceUrl', 'notifyUrl', 'readUrl'] as const) {
    if (options[key] !== undefined && loc.kind !== 'server') {
      throw new SecretrefError('INVALID_INPUT', `${key} applies to a PostgreSQL server store only.`, { path: `/${key}` });
    }
  }
  if (loc.kind === 'server') {
    const { openServer } = await import('./server.js');
    const notifyUrl = options.notifyUrl ?? (process.env.SECRETREF_NOTIFY_URL || undefined);
    if (notifyUrl !== undefined && parseStoreUrl(notifyUrl).kind !== 'server') {
      throw new SecretrefError('INVALID_INPUT', 'notifyUrl must be a postgres:// URL.', { path: '/notifyUrl' });
    }
    const serverOptions = {
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
      poolSize: checkPoolSize(options.poolSize ?? (process.env.SECRETREF_POOL_SIZE || undefined)),
      applicationName: `secretref/${schema}`,
    };
    const readUrl = options.readUrl ?? (process.env.SECRETREF_READ_URL || undefined);
    if (readUrl !== undefined) {
      if (parseStoreUrl(readUrl).kind !== 'server') throw new SecretrefError('INVALID_INPUT', 'readUrl must be a postgres:// URL.', { path: '/readUrl' });
      const { ReadFence } = await import('./replica.js');
      replica = { url: readUrl, fence: new ReadFence() };
    }
    budget = { pool: serverOptions.poolSize, listenTo: notifyUrl === undefined ? 'url' : 'notifyUrl', maintenance: 0, read: replica ? serverOptions.poolSize : 0 };
    const fence = replica?.fence;
    driver = openServer(loc.url, counter, {
      ...serverOptions,
      ...(notifyUrl !== undefined ? { notifyUrl } : {}),
      ...(fence ? { onCommit: (lsn: string) => fence.raise(lsn) } : {}),
    });
    if (replica) readPool = openServer(replica.url, counter, { ...serverOptions, applicationName: `secretref/${schema}/read` });
    const maintenanceUrl = options.maintenanceUrl ?? (process.env.SECRETREF_MAINTENANCE_DATABASE_URL || undefined);
    if (maintenanceUrl !== undefined) {
      if (parseStoreUrl(maintenanceUrl).kind !== 'server') {
        throw new SecretrefError('INVALID_INPUT', 'maintenanceUrl must be a postgres:// URL.', { path: '/maintenanceUrl' });
      }
      maintenance = openServer(maintenanceUrl, counter, {
        ...serverOptions,
        poolSize: MAINTENANCE_POOL,
        applicationName: `secretref/${schema}/maintenance`,
        // A rekey's rows too must be replayed before the standby is read under the new key.
        ...(fence ? { onCommit: (lsn: string) => fence.raise(lsn) } : {}),
      });
      budget.maintenance = MAINTENANCE_POOL;
    }
  } else {
    driver = await openEmbeddedStore(loc, counter, options, schema);
    // Booted without pgcrypto (descriptions only): a schema to migrate (or rows to re-bind) needs
    // it, so that open boots again with it.
    if (options.embedded?.pgcrypto === false && driver.viaAgent !== true && !(await currentSchema(driver, schema).catch(() => undefined))) {
      await driver.close();
      driver = await openEmbeddedStore(loc, counter, { ...options, embedded: { ...options.embedded, pgcrypto: true } }, schema);
    }
  }
  let crypto: string;
  let complete: boolean;
  try {
    ({ crypto, complete } = await migrate(maintenance ?? driver, schema));
    if (maintenance) await grantApplication(maintenance, driver, { schema: quoted, crypto });
  } catch (e) {
    await driver.close().catch(() => undefined);
    await maintenance?.close().catch(() => undefined);
    await readPool?.close().catch(() => undefined);
    throw e;
  }
  const hub = new ChangeHub(driver, schema);
  const warn = options.onWarning ?? emitWarning;
  let reads: ReplicaReads | undefined;
  if (replica && readPool) {
    const { ReplicaReads } = await import('./replica.js');
    reads = new ReplicaReads(replica.fence, readPool, driver, hub, { schema: quoted, crypto }, warn);
  }
  const ctx: StoreContext = {
    driver,
    maintenance: maintenance ?? driver,
    schema: quoted,
    crypto,
    hub,
    ...(reads ? { reads } : {}),
    ring,
    closed: false,
  };
  // Re-binding re-encrypts, which takes the key: without it the rows wait for the next keyed open.
  if (!complete && !ring.withoutKey) {
    try {
      await rebind(ctx, options.onWarning ?? emitWarning);
    } catch (e) {
      await driver.close().catch(() => undefined);
      await maintenance?.close().catch(() => undefined);
      await readPool?.close().catch(() => undefined);
      throw e;
    }
  }
  return new StoreImpl(ctx, schema, counter, budget, auditRetention);
}

/**
 * A `file:` store through its agent (started when none runs; src/store/agent.ts), unless
 * `agent: 'never'`; in this process, under the folder lock, where no agent can be had.
 */
async function openEmbeddedStore(loc: Exclude<Location, { kind: 'server' }>, counter: Counter, options: OpenStoreOptions, schema: string): Promise<Driver> {
  const warn = options.onWarning ?? emitWarning;
  if (loc.kind === 'file') {
    const { agentMode, openAgentDriver } = await import('./agent.js');
    if (agentMode(options.agent) === 'auto') {
      const opened = await openAgentDriver(loc.path, counter, {
        connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
        statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
        applicationName: `secretref/${schema}`,
        ...(options.embedded?.settings ? { settings: options.embedded.settings } : {}),
      });
      if (!('reason' in opened)) return opened;
      warn(`The store agent for ${loc.path} is not available (${opened.reason}); opening the store in this process, which waits for its lock.`, 'SECRETREF_AGENT_UNAVAILABLE');
    }
  }
  const { openEmbedded } = await import('./pglite.js');
  return await openEmbedded(loc, counter, options.lockTimeoutMs ?? 30_000, warn, options.embedded);
}

/** Connections of `maintenanceUrl`: migrations and rekey run one transaction at a time. */
const MAINTENANCE_POOL = 2;

/** What a store object's connections are, as fixed at open. */
interface StaticBudget {
  pool: number;
  listenTo: 'url' | 'notifyUrl' | null;
  maintenance: number;
  /** Connections of `readUrl`. */
  read: number;
}

/** poolSize from the options or SECRETREF_POOL_SIZE: an integer 1..1000. */
function checkPoolSize(v: number | string | undefined): number {
  if (v === undefined) return 10;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > 1000) {
    throw new SecretrefError('INVALID_INPUT', 'poolSize (or SECRETREF_POOL_SIZE) must be an integer from 1 to 1000.', { path: '/poolSize' });
  }
  return n;
}

/** As the owner: grants the application connection's role what it needs, unless it has it or is the owner. */
async function grantApplication(maintenance: Driver, app: Driver, n: SqlNames): Promise<void> {
  const [me] = await app.query<{ role: string }>('select current_user::text as role');
  const [owner] = await maintenance.query<{ role: string }>('select current_user::text as role');
  if (!me || !owner || me.role === owner.role) return;
  const granted = st.applicationGranted(n, me.role);
  if ((await maintenance.query<{ ok: boolean }>(granted.text, granted.params))[0]?.ok) return;
  await maintenance.exec(st.grantApplication(n, quoteIdent(me.role)).text);
}

class StoreImpl implements Store {
  readonly backend: 'embedded' | 'server';

  constructor(
    private readonly ctx: StoreContext,
    readonly schema: string,
    private readonly counter: Counter,
    private readonly budget: StaticBudget,
    private readonly auditRetention: number,
  ) {
    this.backend = ctx.driver.backend;
  }

  get keyId(): string {
    return this.ctx.ring.keyId;
  }

  scope(developerId: string): ScopedStore {
    assertOpen(this.ctx);
    return new ScopedStoreImpl(this.ctx, checkDeveloperId(developerId));
  }

  async rekey(newMasterKey: string, opts?: RekeyOptions): Promise<RekeyResult> {
    return await rekey(this.ctx, newMasterKey, opts);
  }

  async migrateTo(target: Store, opts?: MigrateOptions): Promise<MigrateResult> {
    if (!(target instanceof StoreImpl)) throw new SecretrefError('INVALID_INPUT', 'migrateTo takes a store opened with openStore().', { path: '/target' });
    if (target === this) throw new SecretrefError('INVALID_INPUT', 'migrateTo needs another store than the one it copies from.', { path: '/target' });
    return await migrateStore(this.ctx, target.ctx, opts);
  }

  subscribe(listener: StoreListener): () => void {
    assertOpen(this.ctx);
    return this.ctx.hub.subscribe(listener);
  }

  async listening(): Promise<void> {
    await this.ctx.hub.listening();
  }

  stats(): StoreStats {
    const stats: StoreStats = { queries: this.counter.queries, notifications: this.ctx.hub.notifications().state };
    const reads = this.ctx.reads;
    if (reads) stats.replica = { reads: reads.stats(), audit: reads.audit.stats() };
    return stats;
  }

  notifications(): NotificationStatus {
    return this.ctx.hub.notifications();
  }

  folderModes(): FolderModesReport | null {
    const f = this.ctx.driver.dataFolder;
    return f ? { folder: f.path, atOpen: { ...f.atOpen }, now: inspectModes(f.path) } : null;
  }

  async roles(): Promise<RoleReport> {
    assertOpen(this.ctx);
    const q = st.roleInfo(this.ctx);
    type Row = { role: string; superuser: boolean; bypass_rls: boolean; owns_tables: boolean };
    const me = (await this.ctx.driver.query<Row>(q.text, q.params))[0];
    const separate = this.ctx.maintenance !== this.ctx.driver;
    const owner = separate ? (await this.ctx.maintenance.query<{ role: string }>('select current_user::text as role'))[0] : undefined;
    return {
      backend: this.backend,
      role: me?.role ?? 'unknown',
      superuser: me?.superuser === true,
      bypassRls: me?.bypass_rls === true,
      ownsTables: me?.owns_tables === true,
      maintenanceRole: owner?.role ?? null,
    };
  }

  async pruneAudit(opts?: PruneAuditOptions): Promise<PruneAuditResult> {
    assertOpen(this.ctx);
    return await pruneAudit(this.ctx, this.auditRetention, opts);
  }

  async readReplica(): Promise<ReadReplicaStatus | null> {
    assertOpen(this.ctx);
    return (await this.ctx.reads?.status()) ?? null;
  }

  async connectionBudget(): Promise<ConnectionBudget> {
    assertOpen(this.ctx);
    const { pool, listenTo, maintenance, read } = this.budget;
    const listen = listenTo === null ? 0 : 1;
    const onPrimary = pool + listen + maintenance;
    const base = { backend: this.backend, pool, listen, listenTo, maintenance, read, total: onPrimary + read, onPrimary };
    if (this.backend === 'embedded') return { ...base, serverMaxConnections: null, serverReserved: null, serverInUse: null };
    const q = st.serverConnections();
    const r = (await this.ctx.driver.query<{ max: number; reserved: number; in_use: number }>(q.text, q.params))[0];
    return { ...base, serverMaxConnections: r?.max ?? null, serverReserved: r?.reserved ?? null, serverInUse: r?.in_use ?? null };
  }

  async close(): Promise<void> {
    if (this.ctx.closed) return;
    this.ctx.closed = true;
    await this.ctx.hub.close();
    // The audit of reads made on the standby goes to the primary before its pool closes.
    await this.ctx.reads?.close();
    await this.ctx.driver.close();
    if (this.ctx.maintenance !== this.ctx.driver) await this.ctx.maintenance.close();
  }
}

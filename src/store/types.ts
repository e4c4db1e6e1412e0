/**
 * Public types of the encrypted secret store (SPEC §2, §7). Other stages (resolve, lint, cli)
 * code against these; the implementation lives beside them in src/store/.
 */

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * Where the store lives: `postgres://…` / `postgresql://…` (a server, pooled), `file:PATH`
   * (embedded PGlite on disk, default `file:.secretref/db`), `memory:` (embedded, in memory, new
   * each time) or `memory:NAME` (embedded in memory, shared in-process by name while open).
   */
  url?: string;
  /** Master key. Default: `SECRETS_MASTER_KEY`. Never logged, stored or put in an error. */
  masterKey?: string;
  /**
   * Open without the master key, for reading names, descriptions, metadata, expiry and usage
   * policy (what lint's store rules need). These reads are not authenticated (the rows' HMAC needs
   * the key); reading a value and every write are refused with MASTER_KEY_MISSING.
   */
  withoutKey?: boolean;
  /** Where `masterKey` came from, as errors name it (`SECRETS_MASTER_KEY`, `the key file …`). Default: "the masterKey option". */
  masterKeySource?: string;
  /** Schema holding every object of the store. Default `secretref`. */
  schema?: string;
  /** Embedded only: how long to wait for another process's lock on the data folder. Default 30 s. */
  lockTimeoutMs?: number;
  /**
   * Embedded only: how this process starts the embedded PostgreSQL. `settings` are passed at its
   * start (`-c name=value`; names of lower-case letters and `_`, plain values), e.g.
   * `{ shared_buffers: '16MB', max_connections: '5' }` for a short-lived process (the command line
   * does this). Applies when this open boots the instance, not when it joins one the process
   * already has.
   */
  embedded?: {
    settings?: Readonly<Record<string, string>>;
    /**
     * False: this store only describes and lists (no value is read or written), so PGlite in this
     * process boots without pgcrypto's module. Where the schema needs migrating first, it boots
     * with it. A store agent always has it. Default true.
     */
    pgcrypto?: boolean;
  };
  /**
   * `file:` stores only: `auto` (default, or SECRETREF_AGENT) connects to the folder's store agent
   * over its Unix socket, starting one (detached, it exits when idle) when none runs, so several
   * processes share the store (docs/agent.md); `never` opens PGlite in this process under the
   * exclusive folder lock. Where no agent can be had, `auto` warns and does what `never` does.
   */
  agent?: 'auto' | 'never';
  /**
   * Where the store says what it fixed without failing (e.g. it tightened an embedded data folder
   * that other users could read). Never given a value or a key. Default: `process.emitWarning`
   * with a `SECRETREF_*` code, which Node prints on stderr.
   */
  onWarning?: (message: string, code: string) => void;
  /** Server only: connection timeout. Default 5 s. */
  connectTimeoutMs?: number;
  /** Server only: statement timeout. Default 30 s. */
  statementTimeoutMs?: number;
  /**
   * Server only: maximum pooled connections of this store object (1..1000; default
   * `SECRETREF_POOL_SIZE`, then 10). A process opens at most poolSize + 1 (the LISTEN connection,
   * once something subscribes) + 2 (with `maintenanceUrl`); see `Store.connectionBudget()` and
   * docs/deployment.md for the budget per topology.
   */
  poolSize?: number;
  /**
   * Server only: a connection as the role that owns the store's schema, for migrations and
   * `rekey` (default `SECRETREF_MAINTENANCE_DATABASE_URL`). With it, the schema belongs to that
   * role and the application role (`url`) is granted only what the operations need: row-level
   * security then binds it for good (it cannot lift it; only an owner can), and it cannot change
   * the audit. Without it, the application role must own the schema (one role for everything).
   */
  maintenanceUrl?: string;
  /**
   * Server only: where the LISTEN connection for change notifications goes (default
   * `SECRETREF_NOTIFY_URL`, then `url`). Behind a transaction pooler, point it at the primary
   * directly (or at a session-mode pool): a transaction pooler drops notifications. See
   * docs/deployment.md.
   */
  notifyUrl?: string;
  /**
   * Server only: a hot standby (or another connection to the data) for reads (default
   * `SECRETREF_READ_URL`): resolution, `get`, `list`, names, suggestions and descriptions go to a
   * pool of up to `poolSize` connections there; writes, migrations, the audit and LISTEN stay on
   * `url` (and `notifyUrl`). A read waits until the standby has replayed every write this process
   * made or heard of, else reads from the primary; the audit records of values read on the standby
   * are written to the primary in batches, bounded (full: reads of values are refused). See
   * docs/deployment.md.
   */
  readUrl?: string;
  /**
   * Days an audit record is kept (integer 1..36500; default 90): what `Store.pruneAudit()`
   * deletes is older. Nothing is deleted unless pruneAudit runs (docs/deployment.md).
   */
  auditRetention?: number;
}

/** A secret as the store describes it: everything but its value. */
export interface SecretInfo {
  /** `secret_id`. */
  id: string;
  developerId: string;
  name: string;
  description: string | null;
  /** Always a JSON object. */
  metadata: Record<string, unknown>;
  /** Starts at 1; every value change (update, rotate, rollback) increments it. */
  version: number;
  /** Fingerprint of the master key the current value is encrypted with. */
  keyId: string;
  expiresAt: Date | null;
  /** `null`: any tool may use the secret. */
  allowedTools: string[] | null;
  /** `null`: any host may receive the secret. */
  allowedHosts: string[] | null;
  createdAt: Date;
  updatedAt: Date;
  /** The value before the last rotation, while its grace period lasts. */
  previous?: PreviousVersion;
}

/** The value a rotation replaced, readable until `validUntil`. */
export interface PreviousVersion {
  version: number;
  keyId: string;
  validUntil: Date;
  /** Present only with `get(name, { reveal: true, previous: true })`. */
  value?: string;
}

/** {@link SecretInfo} plus the value when it was asked for with `reveal`. */
export interface Secret extends SecretInfo {
  value?: string;
}

/** Input of `create`. */
export interface CreateSecretInput {
  name: string;
  value: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  expiresAt?: Date | string | null;
  allowedTools?: string[] | null;
  allowedHosts?: string[] | null;
}

/**
 * Patch of `update`. Absent fields are left alone; `null` clears. `metadata` is merged key by
 * key: a key set to `null` is removed; `metadata: null` clears the whole object.
 */
export interface UpdateSecretPatch {
  /** New value (no grace period; use `rotate` to keep the previous one readable). */
  value?: string;
  /** Rename. */
  name?: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  expiresAt?: Date | string | null;
  allowedTools?: string[] | null;
  allowedHosts?: string[] | null;
}

/** Options of `get`. */
export interface GetOptions {
  /** Include the value (audited as `reveal`). */
  reveal?: boolean;
  /** With `reveal`: include the previous value while its grace period lasts. */
  previous?: boolean;
}

/** Options of `list`. */
export interface ListOptions {
  /** Only secrets whose metadata contains these key/value pairs (jsonb `@>`). */
  metadata?: Record<string, unknown>;
  /** Only names starting with this prefix. */
  prefix?: string;
  /** Page size, 1..1000, default 100. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** One page of `list`: ordered by name (byte order); never values. */
export interface ListResult {
  items: SecretInfo[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Options of `listNames`. */
export interface ListNamesOptions {
  /** Only names starting with this prefix. */
  prefix?: string;
  /**
   * Stop after this many names: 1..`INTERNAL_LIMITS.listNamesMax` (100,000), which is also the
   * default. The walk yields the first `max` names in byte order, then ends.
   */
  max?: number;
  /**
   * Only names of `min`..`max` characters (1..128). The database filters as it walks the index,
   * so only those names travel ("did you mean" asks for the lengths an edit could reach).
   */
  lengths?: { min: number; max: number };
}

/** A secret as another system holds it, for `importSecret`. */
export interface ImportSecretInput {
  name: string;
  value: string;
  description?: string | null;
  /** `null` or absent: no metadata (stored as `{}`). Otherwise stored exactly as given. */
  metadata?: Record<string, unknown> | null;
  /** Carried over on create; default now. */
  createdAt?: Date | string;
  /** Carried over on create; default now. */
  updatedAt?: Date | string;
}

/** Options of `importSecret`. */
export interface ImportSecretOptions {
  /** Where the secret comes from (`julep`), recorded as `imported_from` in the audit detail. */
  source: string;
  /** Make value, description and metadata equal to the input when they differ. Default false. */
  overwrite?: boolean;
}

/** The fields `importSecret` compares. */
export type ImportField = 'value' | 'description' | 'metadata';

/** What `importSecret` did. */
export interface ImportSecretResult {
  /**
   * `created`: the name was free; `unchanged`: value, description and metadata already equal;
   * `updated`: they differed and `overwrite` made them equal; `conflict`: they differ, left alone.
   */
  outcome: 'created' | 'updated' | 'unchanged' | 'conflict';
  /** The fields that differed (`updated`, `conflict`); empty otherwise. */
  fields: ImportField[];
}

/** Options of `rotate`. */
export interface RotateOptions {
  /** How long the previous value stays readable. Default 24 h; 0 drops it at once. */
  graceMs?: number;
}

/** What `resolveDetailed` returns per name: the value plus what the resolver checks. */
export interface ResolvedSecret {
  name: string;
  value: string;
  version: number;
  keyId: string;
  updatedAt: Date;
  expiresAt: Date | null;
  allowedTools: string[] | null;
  allowedHosts: string[] | null;
}

/** Every action the audit log records. */
export type AuditAction =
  | 'create'
  | 'update'
  | 'rename'
  | 'delete'
  | 'rotate'
  | 'rollback'
  | 'rekey'
  | 'resolve'
  | 'reveal';

/** One audit record: who (developer), which secret, what, when. Never a value. */
export interface AuditEntry {
  id: string;
  at: Date;
  developerId: string;
  /** The secret's id; on a read of several names, null. */
  secretId: string | null;
  /** The secret's name; on a read of several names, the first of `names` in byte order. */
  name: string;
  /**
   * Every name the record is about: one for a write; for a read (`resolve`, `reveal`) every name
   * of the batch that existed, in one record (detail `versions`: name → version).
   */
  names: string[];
  action: AuditAction;
  /** Non-secret facts (versions, key ids, old name). */
  detail: Record<string, unknown>;
}

/** Options of `audit`. */
export interface AuditQuery {
  /** Only this secret (also its records under former names). */
  name?: string;
  since?: Date | string;
  /** Newest first, 1..10000, default 100. */
  limit?: number;
}

/** Progress of `rekey`, reported after every committed batch. */
export interface RekeyProgress {
  /** Rows re-encrypted so far in this run. */
  done: number;
  /** Rows still under the old key when the run started. */
  total: number;
}

/** Options of `rekey`. */
export interface RekeyOptions {
  onProgress?: (progress: RekeyProgress) => void;
  /** Rows per transaction. Default 100. */
  batchSize?: number;
}

/** Outcome of `rekey`. */
export interface RekeyResult {
  /** Rows re-encrypted in this run. */
  rekeyed: number;
  /** Fingerprint of the new key, now the store's key. */
  keyId: string;
  /** Rows under neither the old nor the new key, by fingerprint (left untouched). */
  otherKeys: Record<string, number>;
}

/** Progress of `migrateTo`, after each developer. */
export interface MigrateProgress {
  done: number;
  total: number;
}

/** Options of `migrateTo`. */
export interface MigrateOptions {
  onProgress?: (progress: MigrateProgress) => void;
  /** Compare every field of every row of both stores afterwards. Default true. */
  verify?: boolean;
}

/** A difference the verification found: a field name (`missing`, `extra`, `audit`, or a column), never a value. */
export interface MigrateMismatch {
  developerId: string;
  secretId: string | null;
  field: string;
}

/** Outcome of `migrateTo`. */
export interface MigrateResult {
  /** Developers with secrets or audit records in the source. */
  developers: number;
  /** Developers copied by this run. */
  copied: number;
  /** Developers the target already held (copied by an earlier run), left as they are. */
  alreadyThere: number;
  /** Secrets and audit records written by this run. */
  secrets: number;
  auditRecords: number;
  /** True when the verification pass found no difference. */
  verified: boolean;
  mismatches: MigrateMismatch[];
}

/**
 * A change notification. `change`: these names of this developer were written (by this store
 * object at once; by other processes through LISTEN/NOTIFY on a server). `reset`: the
 * notification connection was lost or re-established, so changes may have been missed.
 */
export type StoreEvent =
  | { type: 'change'; developerId: string; names: string[] }
  | { type: 'reset' };

export type StoreListener = (event: StoreEvent) => void;

/** Counters of one store object. */
export interface StoreStats {
  /**
   * Statements sent to the database (a transaction's BEGIN/COMMIT count too). On a server a
   * single read also runs inside a BEGIN…COMMIT that sets the timeouts, which is not counted.
   */
  queries: number;
  /** Whether changes made elsewhere reach this store object (see `NotificationState`). */
  notifications: NotificationState;
  /** With `readUrl`: where reads went, and the audit records on their way to the primary. */
  replica?: { reads: ReplicaReadStats; audit: AuditBufferStats };
}

/** Where the reads of a store with `readUrl` went. */
export interface ReplicaReadStats {
  /** Reads answered by the read pool. */
  replica: number;
  /** Reads that went to the primary (the standby had not replayed in time, was unreachable, or notifications were not verified). */
  primary: number;
  /** Reads that found the standby behind and waited for it to replay. */
  waits: number;
  /** Times the read pool could not be reached (reads then go to the primary for a while). */
  replicaErrors: number;
}

/** What `readUrl` leads to (`Store.readReplica`). */
export interface ReadReplicaStatus {
  /** It is a standby (in recovery); false: a primary, read there with the audit in the read. */
  standby: boolean;
  /** pg_last_wal_replay_lsn() there, and pg_current_wal_insert_lsn() on the primary. */
  replayLsn: string | null;
  primaryLsn: string | null;
  /** WAL bytes the standby has still to replay (null when it is no standby). */
  bytesBehind: number | null;
}

/** Audit records of reads on the standby, on their way to the primary (`readUrl`). */
export interface AuditBufferStats {
  /** Records waiting in this process, and their size. */
  pending: number;
  pendingBytes: number;
  /** Records written to the primary. */
  written: number;
  /** Records lost: the primary did not take them before the store closed (warned as SECRETREF_AUDIT_LOST). */
  dropped: number;
  /** Reads of values refused because the buffer was full (fail closed). */
  refused: number;
  /** Flushes the primary refused or did not answer (the records stay and are retried). */
  failedFlushes: number;
}

/**
 * Whether changes made elsewhere reach a store object, as its probe found:
 * - `local`: embedded; every writer is in this process, so nothing can be missed;
 * - `verified`: the probe notification sent through the database URL arrived on the LISTEN connection;
 * - `connecting`: nothing subscribed yet, or LISTEN / the first probe is under way;
 * - `unverified`: the probe did not arrive in time (a transaction pooler drops notifications);
 * - `standby`: the notify URL leads to a standby, which cannot LISTEN;
 * - `lost`: the LISTEN connection dropped and is being re-established.
 * Anything but `local` and `verified` makes a resolver trust its cache for
 * INTERNAL_LIMITS.untrustedCacheMs (1 s) only.
 */
export type NotificationState = 'local' | 'verified' | 'connecting' | 'unverified' | 'standby' | 'lost';

/** The notification path of a store object (`Store.notifications()`). */
export interface NotificationStatus {
  state: NotificationState;
  /** How long the last probe that arrived took, in ms. */
  probeMs: number | null;
  /** When the state last changed (epoch ms). */
  since: number;
}

/** Every operation confined to one developer id (SPEC §7). */
export interface ScopedStore {
  readonly developerId: string;
  create(input: CreateSecretInput): Promise<SecretInfo>;
  get(name: string, opts?: GetOptions): Promise<Secret>;
  list(opts?: ListOptions): Promise<ListResult>;
  update(name: string, patch: UpdateSecretPatch): Promise<SecretInfo>;
  delete(name: string): Promise<void>;
  rotate(name: string, value: string, opts?: RotateOptions): Promise<SecretInfo>;
  rollback(name: string): Promise<SecretInfo>;
  /** Values of the names that exist, in one round trip. Absent names are absent from the map. */
  resolveMany(names: Iterable<string>): Promise<Map<string, string>>;
  /** Like `resolveMany`, with what the resolver needs for expiry, policy and plans. */
  resolveDetailed(names: Iterable<string>): Promise<Map<string, ResolvedSecret>>;
  /** Descriptions (no values, not audited) of the names that exist, in one round trip. */
  inspectMany(names: Iterable<string>): Promise<Map<string, SecretInfo>>;
  /**
   * Every name of this developer, in byte order, one at a time: a bounded walk that reads pages of
   * `INTERNAL_LIMITS.listNamesPage` (1,000) names, one round trip each, as it is consumed, and
   * ends after `max` names (default and ceiling `INTERNAL_LIMITS.listNamesMax`, 100,000). Never
   * values, not audited. Stopping early (`break`) reads no further pages.
   */
  listNames(opts?: ListNamesOptions): AsyncIterableIterator<string>;
  /**
   * Copies in a secret from another system, in one transaction: creates it (keeping its
   * timestamps) when the name is free; otherwise compares value, description and metadata inside
   * the database — no value is returned, nothing is audited — and with `overwrite` makes them
   * equal. Writes are audited with `imported_from: source`; the secret's metadata is left as given.
   * Invalid input is one error listing every problem (INVALID_NAME, INVALID_INPUT, LIMIT_EXCEEDED).
   */
  importSecret(input: ImportSecretInput, opts: ImportSecretOptions): Promise<ImportSecretResult>;
  audit(query?: AuditQuery): Promise<AuditEntry[]>;
}

/** Modes found under an embedded store's data folder (permission bits; see `Store.folderModes`). */
export interface FolderModes {
  /** Mode of the data folder itself; null when it does not exist. */
  folderMode: number | null;
  /** Folders (the data folder included) not 0700, and files not 0600. */
  looseFolders: number;
  looseFiles: number;
  /** Entries whose mode could not be changed (another owner, a read-only file system). */
  failed: number;
  /** The data folder let group or others in, so its files were reachable. */
  exposed: boolean;
}

/** An embedded store's data folder: its modes when this process opened it, and now. */
export interface FolderModesReport {
  folder: string;
  /** Before secretref tightened them at open (a folder secretref created itself counts as tight). */
  atOpen: FolderModes;
  now: FolderModes;
}

/** Who a store's connections are, as the database sees them (`doctor`). */
export interface RoleReport {
  backend: 'embedded' | 'server';
  /** The application connection's role (`current_user`). */
  role: string;
  /** Superusers bypass row-level security silently. */
  superuser: boolean;
  /** So do roles with BYPASSRLS. */
  bypassRls: boolean;
  /** The application role owns the store's tables (or may act as their owner): it could lift row-level security. */
  ownsTables: boolean;
  /** The role of `maintenanceUrl`, when maintenance runs as another role than the application. */
  maintenanceRole: string | null;
}

/** The connections one store object may open, and what the server allows (`doctor`). */
export interface ConnectionBudget {
  backend: 'embedded' | 'server';
  /** Pooled connections to `url`, at most (poolSize). */
  pool: number;
  /** The LISTEN connection (to `notifyUrl`, else `url`), open while something subscribes. */
  listen: number;
  /** Where the LISTEN connection goes. */
  listenTo: 'url' | 'notifyUrl' | null;
  /** Connections of `maintenanceUrl` (migrations and rekey), at most. */
  maintenance: number;
  /** Pooled connections to `readUrl` (the standby), at most; 0 without it. */
  read: number;
  /** pool + listen + maintenance + read. */
  total: number;
  /** What of `total` goes to the primary's server: pool + listen + maintenance (when listenTo is the primary). */
  onPrimary: number;
  /** The server's max_connections and superuser_reserved_connections (behind a pooler: the server's, not the pooler's). */
  serverMaxConnections: number | null;
  serverReserved: number | null;
  /** Connections open on the server now (every client), as pg_stat_activity shows them. */
  serverInUse: number | null;
}

/** Options of `Store.pruneAudit`. */
export interface PruneAuditOptions {
  /** Days to keep (default: the store's `auditRetention`, 90). At least 1. */
  retentionDays?: number;
  /** Records deleted per transaction, 1..100000 (default 10000). */
  batchSize?: number;
  /** Stop after this many records (default: no limit). */
  maxRecords?: number;
}

/** What `Store.pruneAudit` did. */
export interface PruneAuditResult {
  /** Records deleted. */
  deleted: number;
  /** Records older than this were deleted. */
  before: Date;
}

/** An open store. */
export interface Store {
  readonly backend: 'embedded' | 'server';
  readonly schema: string;
  /** Fingerprint of the current master key (safe to show). */
  readonly keyId: string;
  scope(developerId: string): ScopedStore;
  rekey(newMasterKey: string, opts?: RekeyOptions): Promise<RekeyResult>;
  /**
   * Copies every developer's secrets (ids, versions, metadata, policy, expiry, previous values
   * with their grace deadlines, timestamps) and audit history to `target`, re-encrypted under its
   * key; one transaction per developer, resumable and idempotent; then verifies every row. Both
   * stores need maintenance rights (the tables' owner). `target` must come from `openStore`.
   * Always there on a store from `openStore`; optional so that wrappers need not forward it.
   */
  migrateTo?(target: Store, opts?: MigrateOptions): Promise<MigrateResult>;
  /** Listens for changes; returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void;
  /** Resolves once changes made elsewhere (other store objects, other processes) are being received. */
  listening(): Promise<void>;
  stats(): StoreStats;
  /**
   * Whether changes made elsewhere reach this store object (probed after LISTEN, and again every
   * 30 s while listening). Always there on a store from `openStore`; a store without it is taken
   * as `local`.
   */
  notifications?(): NotificationStatus;
  /**
   * Embedded on disk: the data folder's modes at open and now (`doctor`); null for other stores.
   * Always there on a store from `openStore`; optional so that wrappers need not forward it.
   */
  folderModes?(): FolderModesReport | null;
  /**
   * The database roles the store runs as, and what they can do past row-level security. Always
   * there on a store from `openStore`; optional so that wrappers need not forward it.
   */
  roles?(): Promise<RoleReport>;
  /**
   * How many connections this store object may open, and what the server allows. Always there
   * on a store from `openStore`; optional so that wrappers need not forward it.
   */
  connectionBudget?(): Promise<ConnectionBudget>;
  /**
   * With `readUrl`: whether it leads to a standby and how far behind the primary it is; null
   * without. Always there on a store from `openStore`; optional so that wrappers need not forward it.
   */
  readReplica?(): Promise<ReadReplicaStatus | null>;
  /**
   * Deletes audit records older than the retention, every developer's, oldest first, in
   * transactions of `batchSize` (an index range on `at` each). Maintenance: runs as the owner of
   * the store's tables (`maintenanceUrl`), as the only exception to the append-only audit — never
   * a record younger than a day. Always there on a store from `openStore`.
   */
  pruneAudit?(opts?: PruneAuditOptions): Promise<PruneAuditResult>;
  close(): Promise<void>;
}

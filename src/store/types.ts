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
  /** Where `masterKey` came from, as errors name it (`SECRETS_MASTER_KEY`, `the key file …`). Default: "the masterKey option". */
  masterKeySource?: string;
  /** Schema holding every object of the store. Default `secretref`. */
  schema?: string;
  /** Embedded only: how long to wait for another process's lock on the data folder. Default 30 s. */
  lockTimeoutMs?: number;
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
  /** Server only: maximum pooled connections. Default 10. */
  poolSize?: number;
  /**
   * Server only: a connection as the role that owns the store's schema, for migrations and
   * `rekey` (default `SECRETREF_MAINTENANCE_DATABASE_URL`). With it, the schema belongs to that
   * role and the application role (`url`) is granted only what the operations need: row-level
   * security then binds it for good (it cannot lift it; only an owner can), and it cannot change
   * the audit. Without it, the application role must own the schema (one role for everything).
   */
  maintenanceUrl?: string;
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
  secretId: string | null;
  name: string;
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
  /** Round trips to the database (a transaction's BEGIN/COMMIT count too). */
  queries: number;
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
   * Embedded on disk: the data folder's modes at open and now (`doctor`); null for other stores.
   * Always there on a store from `openStore`; optional so that wrappers need not forward it.
   */
  folderModes?(): FolderModesReport | null;
  /**
   * The database roles the store runs as, and what they can do past row-level security. Always
   * there on a store from `openStore`; optional so that wrappers need not forward it.
   */
  roles?(): Promise<RoleReport>;
  close(): Promise<void>;
}

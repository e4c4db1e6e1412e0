/**
 * openStore: picks the backend from the URL, checks the master key before touching the database,
 * migrates, and hands out developer-scoped views.
 */
import { fileURLToPath } from 'node:url';
import { SecretrefError } from '../errors.js';
import { DEFAULT_SCHEMA, DEFAULT_STORE_URL } from './defaults.js';
import { assertOpen, type StoreContext } from './context.js';
import { loadKeyRing } from './crypto-key.js';
import type { Counter, Driver } from './driver.js';
import { migrate } from './migrations.js';
import { ChangeHub } from './notify.js';
import { rekey } from './rekey.js';
import { ScopedStoreImpl } from './scoped.js';
import { quoteSchema } from './sql.js';
import { inspectModes } from './file-modes.js';
import type { FolderModesReport, OpenStoreOptions, RekeyOptions, RekeyResult, ScopedStore, Store, StoreListener, StoreStats } from './types.js';
import { checkDeveloperId } from './validate.js';

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
  const ring = loadKeyRing(options.masterKey);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchema(schema);
  const loc = parseStoreUrl(options.url ?? (process.env.SECRETREF_DATABASE_URL || DEFAULT_STORE_URL));
  const counter: Counter = { queries: 0 };
  let driver: Driver;
  if (loc.kind === 'server') {
    const { openServer } = await import('./server.js');
    driver = openServer(loc.url, counter, {
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
      poolSize: options.poolSize ?? 10,
      applicationName: `secretref/${schema}`,
    });
  } else {
    const { openEmbedded } = await import('./pglite.js');
    driver = await openEmbedded(loc, counter, options.lockTimeoutMs ?? 30_000, options.onWarning ?? emitWarning);
  }
  let crypto: string;
  try {
    crypto = (await migrate(driver, schema)).crypto;
  } catch (e) {
    await driver.close().catch(() => undefined);
    throw e;
  }
  const ctx: StoreContext = { driver, schema: quoted, crypto, hub: new ChangeHub(driver, schema), ring, closed: false };
  return new StoreImpl(ctx, schema, counter);
}

class StoreImpl implements Store {
  readonly backend: 'embedded' | 'server';

  constructor(
    private readonly ctx: StoreContext,
    readonly schema: string,
    private readonly counter: Counter,
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

  subscribe(listener: StoreListener): () => void {
    assertOpen(this.ctx);
    return this.ctx.hub.subscribe(listener);
  }

  async listening(): Promise<void> {
    await this.ctx.hub.listening();
  }

  stats(): StoreStats {
    return { queries: this.counter.queries };
  }

  folderModes(): FolderModesReport | null {
    const f = this.ctx.driver.dataFolder;
    return f ? { folder: f.path, atOpen: { ...f.atOpen }, now: inspectModes(f.path) } : null;
  }

  async close(): Promise<void> {
    if (this.ctx.closed) return;
    this.ctx.closed = true;
    await this.ctx.hub.close();
    await this.ctx.driver.close();
  }
}

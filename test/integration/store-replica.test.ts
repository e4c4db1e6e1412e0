/**
 * Reads from a hot standby (`readUrl`, src/store/replica.ts): reads go to the standby, the audit
 * of values read there reaches the primary (bounded, fail closed), and neither a rotate in this
 * process nor an invalidation from another ever reloads the old value from a standby that has not
 * replayed the write. Replay is paused on a standby of this file's own (pg_wal_replay_pause as a
 * superuser), so the shared one other files read from keeps streaming.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INTERNAL_LIMITS } from '../../src/limits.js';
import { createResolver } from '../../src/resolve/resolver.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { OpenStoreOptions, Store } from '../../src/store/types.js';
import { pooledUrl, standbyCaughtUp, standbyUrl } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';
import { until } from '../helpers/wait.js';
import { startTcpProxy } from '../resolve/tcp-proxy.js';
import { startPgStandby, type PgStandby } from '../setup/pg-standby.js';

const DEV = '00000000-0000-0000-0000-00000000aa01';
const fresh = (): string => `t_${Math.random().toString(36).slice(2, 10)}`;

describe('reads from a hot standby (readUrl)', () => {
  let own: PgStandby;
  let primaryAdmin: pg.Client;
  let ownAdmin: pg.Client;
  const stores: Store[] = [];
  const open = async (opts: OpenStoreOptions): Promise<Store> => {
    const s = await openStore({ url: inject('pg').appUrl, ...opts });
    stores.push(s);
    return s;
  };
  const caughtUp = (): Promise<void> => standbyCaughtUp(primaryAdmin, ownAdmin);
  const pauseReplay = async (): Promise<void> => {
    await ownAdmin.query('select pg_wal_replay_pause()');
    await until(async () => (await ownAdmin.query<{ s: string }>('select pg_get_wal_replay_pause_state() as s')).rows[0]?.s === 'paused');
  };
  const resumeReplay = async (): Promise<void> => {
    await ownAdmin.query('select pg_wal_replay_resume()');
  };

  beforeAll(async () => {
    const { appUrl, adminUrl } = inject('pg');
    if (adminUrl === null) throw new Error('this file starts a standby of its own: it needs SECRETREF_TEST_ADMIN_DATABASE_URL (a superuser)');
    own = await startPgStandby({ port: Number(new URL(appUrl).port), appUrl, adminUrl });
    primaryAdmin = new pg.Client({ connectionString: adminUrl });
    await primaryAdmin.connect();
    ownAdmin = new pg.Client({ connectionString: own.adminUrl });
    await ownAdmin.connect();
  });
  afterAll(async () => {
    await resumeReplay().catch(() => undefined);
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await primaryAdmin?.end();
    await ownAdmin?.end();
    own?.stop();
  });

  it('reads on the standby, writes on the primary, and writes the audit of standby reads to the primary', async () => {
    const store = await open({ masterKey: keygen(), schema: fresh(), readUrl: own.appUrl });
    const dev = store.scope(DEV);
    await dev.create({ name: 'api_key', value: 'v1', description: 'd' });
    await dev.create({ name: 'db_url', value: 'postgres://x' });
    expect(await dev.resolveMany(['api_key', 'db_url', 'absent'])).toEqual(new Map([['api_key', 'v1'], ['db_url', 'postgres://x']]));
    expect((await dev.get('api_key', { reveal: true })).value).toBe('v1');
    expect((await dev.list()).items.map((i) => i.name)).toEqual(['api_key', 'db_url']);
    const names: string[] = [];
    for await (const n of dev.listNames()) names.push(n);
    expect(names).toEqual(['api_key', 'db_url']);
    const stats = store.stats().replica;
    expect(stats?.reads.replica).toBeGreaterThanOrEqual(4);
    expect(stats?.reads.primary).toBe(0);
    // Two reads of values: two records waiting (the standby refuses the audit insert).
    expect(stats?.audit.pending).toBe(2);
    const audit = await dev.audit();
    expect(store.stats().replica?.audit).toMatchObject({ pending: 0, written: 2, dropped: 0 });
    const resolve = audit.find((a) => a.action === 'resolve');
    const reveal = audit.find((a) => a.action === 'reveal');
    expect(resolve?.names).toEqual(['api_key', 'db_url']);
    expect(resolve?.detail).toEqual({ versions: { api_key: 1, db_url: 1 } });
    expect(reveal?.names).toEqual(['api_key']);
    expect(reveal?.secretId).toBeTruthy();
    expect(JSON.stringify(audit)).not.toContain('v1');
    const budget = await store.connectionBudget?.();
    expect(budget).toMatchObject({ pool: 10, read: 10, listen: 1, total: 21, onPrimary: 11 });
  });

  it('returns its own write at once while the standby has not replayed it (read-your-own-writes)', async () => {
    const store = await open({ masterKey: keygen(), schema: fresh(), readUrl: own.appUrl });
    const dev = store.scope(DEV);
    await dev.create({ name: 'token', value: 'old' });
    await caughtUp();
    expect(await dev.resolveMany(['token'])).toEqual(new Map([['token', 'old']]));
    const before = store.stats().replica?.reads;
    await pauseReplay();
    try {
      await dev.rotate('token', 'new');
      expect(await dev.resolveMany(['token'])).toEqual(new Map([['token', 'new']]));
      expect((await dev.get('token', { reveal: true })).value).toBe('new');
      const after = store.stats().replica?.reads;
      expect(after?.primary).toBeGreaterThan(before?.primary ?? 0);
      expect(after?.waits).toBeGreaterThan(before?.waits ?? 0);
    } finally {
      await resumeReplay();
    }
    await caughtUp();
    const replicaBefore = store.stats().replica?.reads.replica ?? 0;
    expect(await dev.resolveMany(['token'])).toEqual(new Map([['token', 'new']]));
    expect(store.stats().replica?.reads.replica).toBe(replicaBefore + 1);
  });

  it('an invalidation from another process never reloads the old value from a standby that has not replayed the write', async () => {
    const key = keygen();
    const schema = fresh();
    const writer = await open({ masterKey: key, schema });
    const reader = await open({ masterKey: key, schema, readUrl: own.appUrl });
    await writer.scope(DEV).create({ name: 'api_key', value: 'v1' });
    await caughtUp();
    const resolver = createResolver(reader, { developerId: DEV, ttlMs: 120_000 });
    await reader.listening();
    expect(reader.notifications?.().state).toBe('verified');
    const value = async (): Promise<string | undefined> => (await resolver.resolve({ names: ['api_key'] })).values.get('api_key')?.value;
    expect(await value()).toBe('v1');
    const replicaReads = reader.stats().replica?.reads.replica ?? 0;
    expect(replicaReads).toBeGreaterThanOrEqual(1);
    await pauseReplay();
    try {
      await writer.scope(DEV).rotate('api_key', 'v2');
      await until(() => resolver.stats().invalidations > 0);
      // The standby still holds v1; the fence sends the reload to the primary after a bounded wait.
      expect(await value()).toBe('v2');
      expect(reader.stats().replica?.reads.primary).toBeGreaterThanOrEqual(1);
    } finally {
      await resumeReplay();
    }
    await caughtUp();
    await writer.scope(DEV).rotate('api_key', 'v3');
    await until(async () => (await value()) === 'v3');
    // Replayed: back on the standby.
    expect(reader.stats().replica?.reads.replica).toBeGreaterThan(replicaReads);
    resolver.close();
  });

  it('an idle primary just past a WAL page or segment header still counts as replayed (reads stay on the standby)', async () => {
    const key = keygen();
    const schema = fresh();
    await (await open({ masterKey: key, schema })).scope(DEV).create({ name: 'api_key', value: 'v1' });
    // A new segment with nothing on it: pg_current_wal_insert_lsn() points past its 40-byte header,
    // pg_last_wal_replay_lsn() at its start. (Other files' writes may move it on; then this holds anyway.)
    await primaryAdmin.query('select pg_switch_wal()');
    await caughtUp();
    const reader = await open({ masterKey: key, schema, readUrl: own.appUrl });
    const resolver = createResolver(reader, { developerId: DEV });
    await reader.listening();
    expect((await resolver.resolve({ names: ['api_key'] })).values.get('api_key')?.value).toBe('v1');
    expect(reader.stats().replica?.reads).toMatchObject({ replica: 1, primary: 0 });
    resolver.close();
  });

  it('reads from the primary while the notification path is not verified (a transaction pooler without notifyUrl)', async () => {
    const store = await openStore({ url: pooledUrl(), readUrl: standbyUrl(), masterKey: keygen(), schema: fresh() });
    stores.push(store);
    await store.scope(DEV).create({ name: 'api_key', value: 'v1' });
    const resolver = createResolver(store, { developerId: DEV });
    await store.listening();
    expect(store.notifications?.().state).toBe('unverified');
    expect((await resolver.resolve({ names: ['api_key'] })).values.get('api_key')?.value).toBe('v1');
    expect(store.stats().replica?.reads).toMatchObject({ replica: 0, primary: 1 });
    expect(resolver.stats().cacheBoundMs).toBe(INTERNAL_LIMITS.untrustedCacheMs);
    resolver.close();
  });

  it('through PgBouncer with notifyUrl: the fence comes back through the pooler, reads stay on the standby', async () => {
    const store = await openStore({ url: pooledUrl(), notifyUrl: inject('pg').appUrl, readUrl: own.appUrl, masterKey: keygen(), schema: fresh() });
    stores.push(store);
    const dev = store.scope(DEV);
    await dev.create({ name: 'api_key', value: 'v1' });
    const resolver = createResolver(store, { developerId: DEV, ttlMs: 120_000 });
    await store.listening();
    expect(store.notifications?.().state).toBe('verified');
    await pauseReplay();
    try {
      await dev.rotate('api_key', 'v2');
      expect((await resolver.resolve({ names: ['api_key'] })).values.get('api_key')?.value).toBe('v2');
    } finally {
      await resumeReplay();
    }
    await caughtUp();
    await dev.rotate('api_key', 'v3');
    // The give-up above makes reads look at the standby once for a while instead of waiting: once
    // it has replayed the rotate, the read is the standby's.
    await caughtUp();
    const before = store.stats().replica?.reads.replica ?? 0;
    expect((await resolver.resolve({ names: ['api_key'] })).values.get('api_key')?.value).toBe('v3');
    expect(store.stats().replica?.reads.replica).toBe(before + 1);
    resolver.close();
  });

  it('a standby that cannot be reached: reads go to the primary (audited there), and it is left alone for a while', async () => {
    const proxy = await startTcpProxy(own.appUrl);
    try {
      const store = await open({ masterKey: keygen(), schema: fresh(), readUrl: proxy.url, connectTimeoutMs: 1_000 });
      const dev = store.scope(DEV);
      await dev.create({ name: 'api_key', value: 'v1' });
      await proxy.refuse();
      expect(await dev.resolveMany(['api_key'])).toEqual(new Map([['api_key', 'v1']]));
      expect(await dev.resolveMany(['api_key'])).toEqual(new Map([['api_key', 'v1']]));
      expect(store.stats().replica?.reads).toMatchObject({ replica: 0, primary: 2, replicaErrors: 1 });
      expect(store.stats().replica?.audit.pending).toBe(0);
      expect((await dev.audit()).filter((a) => a.action === 'resolve')).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it('a readUrl at the primary reads there, audited in the read itself', async () => {
    const store = await open({ masterKey: keygen(), schema: fresh(), readUrl: inject('pg').appUrl });
    const dev = store.scope(DEV);
    await dev.create({ name: 'api_key', value: 'v1' });
    expect(await dev.resolveMany(['api_key'])).toEqual(new Map([['api_key', 'v1']]));
    expect(store.stats().replica).toMatchObject({ reads: { replica: 1, primary: 0 }, audit: { pending: 0, written: 0 } });
    expect((await dev.audit()).filter((a) => a.action === 'resolve')).toHaveLength(1);
    // The unaudited read of values runs on a standby only: on the primary it refuses.
    const c = new pg.Client({ connectionString: inject('pg').appUrl });
    await c.connect();
    try {
      const q = c.query(`select * from "${store.schema}".read_unlogged($1::uuid, array['api_key'], 'tk', 'kid', false)`, [DEV]);
      await expect(q).rejects.toMatchObject({ code: '42501' });
    } finally {
      await c.end();
    }
  });

  it('refuses reads of values when the audit buffer is full and the primary unreachable (fail closed), and resumes when it is back', async () => {
    const limits = INTERNAL_LIMITS as { auditBufferRecords: number };
    const saved = limits.auditBufferRecords;
    const proxy = await startTcpProxy(inject('pg').appUrl);
    const warnings: string[] = [];
    const store = await openStore({ url: proxy.url, readUrl: own.appUrl, masterKey: keygen(), schema: fresh(), connectTimeoutMs: 1_000, onWarning: (_m, code) => warnings.push(code) });
    limits.auditBufferRecords = 3;
    try {
      const dev = store.scope(DEV);
      await dev.create({ name: 'api_key', value: 'v1' });
      await caughtUp();
      await proxy.refuse();
      for (let i = 0; i < 3; i++) expect(await dev.resolveMany(['api_key'])).toEqual(new Map([['api_key', 'v1']]));
      const e = await rejected(dev.resolveMany(['api_key']));
      expect(e.code).toBe('STORE_UNAVAILABLE');
      expect(e.message).toMatch(/audit records .* waiting for the primary/);
      expect(e.message).not.toContain('v1');
      // Names and descriptions are not audited: they still come from the standby.
      expect((await dev.list()).items).toHaveLength(1);
      expect(store.stats().replica?.audit).toMatchObject({ pending: 3, refused: 1, dropped: 0 });
      await proxy.restore();
      // The buffer is retried every auditFlushMs: once the primary takes the records, reads resume.
      await until(() => store.stats().replica?.audit.pending === 0, 5_000);
      expect(await dev.resolveMany(['api_key'])).toEqual(new Map([['api_key', 'v1']]));
      expect(store.stats().replica?.audit).toMatchObject({ pending: 1, written: 3 });
      // Closing with the primary gone loses what waits: counted and warned, never silent.
      await dev.resolveMany(['api_key']);
      await proxy.refuse();
      await store.close();
      expect(store.stats().replica?.audit).toMatchObject({ pending: 0, dropped: 2 });
      expect(warnings).toContain('SECRETREF_AUDIT_LOST');
    } finally {
      limits.auditBufferRecords = saved;
      await store.close();
      await proxy.close();
    }
  });

  it('a url at a standby fails with what to do: at open on a new schema, on the first write otherwise', async () => {
    const key = keygen();
    const e1 = await rejected(openStore({ url: own.appUrl, masterKey: key, schema: fresh() }));
    expect(e1.code).toBe('STORE_UNAVAILABLE');
    expect(e1.message).toMatch(/25006/);
    expect(e1.message).toMatch(/standby.*readUrl/);
    const schema = fresh();
    await (await open({ masterKey: key, schema })).scope(DEV).create({ name: 'a', value: 'v' });
    await caughtUp();
    const onStandby = await open({ url: own.appUrl, masterKey: key, schema });
    expect(await onStandby.scope(DEV).inspectMany(['a'])).toHaveProperty('size', 1);
    const e2 = await rejected(onStandby.scope(DEV).create({ name: 'b', value: 'v' }));
    expect(e2.code).toBe('STORE_UNAVAILABLE');
    expect(e2.message).toMatch(/standby.*point url .* at the primary/);
  });

  it('refuses readUrl on an embedded store and anything but a postgres:// URL', async () => {
    expect((await rejected(openStore({ url: 'memory:', masterKey: keygen(), readUrl: own.appUrl }))).message).toMatch(/readUrl applies to a PostgreSQL server store only/);
    const e = await rejected(openStore({ url: inject('pg').appUrl, masterKey: keygen(), readUrl: 'file:x', schema: fresh() }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('readUrl must be a postgres:// URL.');
  });
});

/**
 * Several processes on one store: migrations run once when many open at the same time, and the
 * embedded folder lock keeps concurrent writer processes from losing anything.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { keygen } from '../../src/store/crypto-key.js';
import { LATEST_VERSION } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { describeBackends } from '../helpers/backends.js';
import { spawnChild } from '../helpers/child.js';
import { sleep } from '../helpers/wait.js';

const DEV = '00000000-0000-0000-0000-0000000000d1';

describeBackends('concurrent processes', (backend) => {
  it('migrates exactly once when processes open a new store at the same moment', async () => {
    const key = keygen();
    const loc = backend.isolatedLocation();
    const children = Array.from({ length: 3 }, () => spawnChild('open', { ...loc, lockTimeoutMs: 60_000 }, { SECRETS_MASTER_KEY: key }));
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.stderr()).join('\n')).toEqual([0, 0, 0]);
    const store = await openStore({ ...loc, masterKey: key });
    await store.scope(DEV).create({ name: 'after_migration', value: 'v' });
    await store.close();
    if (backend.kind === 'server') {
      const rows = await backend.sql<{ version: number }>(`select version from ${loc.schema}.migrations order by version`);
      expect(rows.map((r) => r.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    }
  }, 120_000);

  it('loses nothing when several writer processes share one store', async () => {
    const key = keygen();
    const loc = backend.isolatedLocation();
    const writers = ['p0', 'p1', 'p2'];
    const children = writers.map((prefix) =>
      spawnChild('write', { ...loc, developerId: DEV, prefix, count: 20, lockTimeoutMs: 90_000 }, { SECRETS_MASTER_KEY: key }),
    );
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.stderr() + JSON.stringify(c.events)).join('\n')).toEqual([0, 0, 0]);
    const store = await openStore({ ...loc, masterKey: key });
    const names = writers.flatMap((p) => Array.from({ length: 20 }, (_, i) => `${p}_${i}`));
    const values = await store.scope(DEV).resolveMany(names);
    expect(values.size).toBe(60);
    for (const n of names) expect(values.get(n)).toBe(`value-${n.split('_')[0]}-${n.split('_')[1]}`);
    await store.close();
  }, 180_000);
});

describeBackends(
  'concurrent migrations in one process',
  (backend) => {
    it('serialises migrations of stores opened at once (separate pools)', async () => {
      const schema = backend.freshSchema();
      const stores = await Promise.all(Array.from({ length: 6 }, () => backend.open({ schema })));
      await Promise.all(stores.map((s, i) => s.scope(DEV).create({ name: `s_${i}`, value: 'v' }).catch((e: unknown) => e)));
      const rows = await backend.sql<{ n: number }>(`select count(*)::int as n from ${schema}.migrations`);
      expect(rows[0]?.n).toBe(LATEST_VERSION);
    });
  },
  ['server'],
);

describeBackends(
  'embedded folder lock',
  (backend) => {
    it('makes a second process wait, then fail with STORE_UNAVAILABLE naming the holder', async () => {
      const key = keygen();
      const loc = backend.isolatedLocation();
      const holder = await openStore({ ...loc, masterKey: key });
      const t0 = Date.now();
      const child = spawnChild('open', { ...loc, lockTimeoutMs: 700 }, { SECRETS_MASTER_KEY: key });
      const err = await child.waitFor((e) => e.event === 'error');
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(String(err.message)).toContain(`process ${process.pid}`);
      expect(Date.now() - t0).toBeGreaterThan(700);
      // Same process, same folder: shared, no self-deadlock.
      const again = await openStore({ ...loc, masterKey: key, lockTimeoutMs: 500 });
      await again.close();
      await holder.close();
      const next = spawnChild('open', { ...loc, lockTimeoutMs: 30_000 }, { SECRETS_MASTER_KEY: key });
      expect(await next.exited, next.stderr()).toBe(0);
    }, 60_000);

    it('breaks a stale lock left by a dead process', async () => {
      const key = keygen();
      const loc = backend.isolatedLocation();
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const folder = loc.url.slice('file:'.length);
      writeFileSync(`${folder}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: 'then', token: 'stale' }));
      const store = await openStore({ ...loc, masterKey: key, lockTimeoutMs: 2000 });
      await store.scope(DEV).create({ name: 'after_stale', value: 'v' });
      await store.close();
    });

    it('waits for a live holder that finishes', async () => {
      const key = keygen();
      const loc = backend.isolatedLocation();
      const holder = spawnChild('hold', loc, { SECRETS_MASTER_KEY: key });
      await holder.waitFor((e) => e.event === 'holding');
      const opening = openStore({ ...loc, masterKey: key, lockTimeoutMs: 30_000 });
      await sleep(300);
      holder.proc.stdin?.end();
      const store = await opening;
      expect(await holder.exited).toBe(0);
      await store.close();
      await expect(openStore({ ...loc, masterKey: 'bad' })).rejects.toBeInstanceOf(SecretrefError);
    }, 60_000);
  },
  ['embedded'],
);

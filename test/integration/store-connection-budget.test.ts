/**
 * The connection budget: `poolSize` bounds the pooled connections one store object opens (seen in
 * pg_stat_activity under load), the LISTEN connection is one more, `connectionBudget()` says so
 * with the server's limits, and `doctor` prints it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import { ALL_KINDS, describeBackends, pooledUrl, standbyUrl } from '../helpers/backends.js';
import { cli } from '../helpers/cli.js';
import { rejected } from '../helpers/expect-error.js';

const { adminUrl, appUrl } = inject('pg');
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
});

/** Server connections whose application_name is the store's (`secretref/<schema>`), as the superuser sees them. */
async function connectionsOf(schema: string): Promise<number> {
  if (!clients[0]) {
    const c = new pg.Client({ connectionString: adminUrl ?? appUrl });
    await c.connect();
    clients.push(c);
  }
  const r = await (clients[0] as pg.Client).query<{ n: number }>(
    `select count(*)::integer as n from pg_stat_activity where application_name = $1`,
    [`secretref/${schema}`],
  );
  return r.rows[0]?.n ?? 0;
}

describeBackends(
  'connection budget',
  (backend) => {
    it('poolSize bounds the pooled connections under 40 concurrent reads; the LISTEN connection is one more', async () => {
      const schema = backend.freshSchema();
      const store = await backend.open({ schema, poolSize: 3 });
      const dev = store.scope(randomUUID());
      await dev.create({ name: 'k', value: 'v' });
      let peak = 0;
      const reads = Promise.all(Array.from({ length: 40 }, () => dev.resolveMany(['k'])));
      const sampler = (async () => {
        for (let i = 0; i < 20; i++) {
          // Behind PgBouncer the pooler's own server connections carry no application_name of ours.
          if (backend.kind === 'server') peak = Math.max(peak, await connectionsOf(schema));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      expect((await reads).every((m) => m.get('k') === 'v')).toBe(true);
      await sampler;
      if (backend.kind === 'server') {
        expect(peak).toBeGreaterThan(0);
        expect(peak).toBeLessThanOrEqual(3);
      }
      store.subscribe(() => undefined);
      await store.listening();
      const budget = await store.connectionBudget?.();
      expect(budget).toMatchObject({
        backend: 'server',
        pool: 3,
        listen: 1,
        listenTo: backend.kind === 'pooled' ? 'notifyUrl' : 'url',
        maintenance: 0,
        total: 4,
        serverMaxConnections: 200,
      });
      expect(budget?.serverInUse).toBeGreaterThan(0);
      if (backend.kind === 'server') expect(await connectionsOf(schema)).toBeLessThanOrEqual(4);
    });

    it('refuses a poolSize outside 1..1000, from the options or SECRETREF_POOL_SIZE', async () => {
      for (const poolSize of [0, 1001, 2.5]) {
        const e = await rejected(openStore({ url: backend.url, masterKey: keygen(), schema: 'unused', poolSize }));
        expect([e.code, e.path]).toEqual(['INVALID_INPUT', '/poolSize']);
      }
      process.env.SECRETREF_POOL_SIZE = 'lots';
      try {
        const e = await rejected(openStore({ url: backend.url, masterKey: keygen(), schema: 'unused' }));
        expect([e.code, e.path]).toEqual(['INVALID_INPUT', '/poolSize']);
      } finally {
        delete process.env.SECRETREF_POOL_SIZE;
      }
    });
  },
  ['server', 'pooled'],
);

describeBackends(
  'doctor prints the connection budget',
  (backend) => {
    it('per process, against the server\'s max_connections', async () => {
      const env = {
        SECRETS_MASTER_KEY: keygen(),
        SECRETREF_DATABASE_URL: backend.url,
        SECRETREF_DEVELOPER_ID: randomUUID(),
        ...(backend.kind === 'replica' ? { SECRETREF_READ_URL: standbyUrl() } : {}),
      };
      const r = await cli(['doctor', '--json'], { env, cwd: mkdtempSync(join(tmpdir(), 'secretref-budget-')) });
      const checks = JSON.parse(r.stdout).checks as { name: string; ok: boolean; detail: string }[];
      const check = checks.find((c) => c.name === 'connections');
      expect(check?.ok).toBe(true);
      if (backend.kind === 'embedded') expect(check?.detail).toContain('no database connections');
      else if (backend.kind === 'replica') {
        expect(check?.detail).toMatch(/^up to 21 per process: 10 pooled \(poolSize\) \+ 1 LISTEN .* \+ 10 pooled reads on the standby \(SECRETREF_READ_URL\); 11 of them on the primary, which allows .*max_connections 200/);
        const replica = checks.find((c) => c.name === 'read replica');
        expect(replica).toMatchObject({ ok: true });
        expect(replica?.detail, replica?.detail).toMatch(/^a standby \d+ WAL bytes behind the primary; [1-9]\d* read\(s\) on the standby .* 0 waiting, 0 lost/);
      } else {
        expect(check?.detail).toMatch(/^up to 11 per process: 10 pooled \(poolSize\) \+ 1 LISTEN .*max_connections 200/);
        expect(checks.some((c) => c.name === 'read replica')).toBe(false);
      }
      const n = (JSON.parse(r.stdout).checks as { name: string; ok: boolean; warn?: boolean; detail: string }[]).find((c) => c.name === 'notifications');
      expect(n).toMatchObject({ ok: true });
      expect(n?.detail).toMatch(backend.kind === 'embedded' ? /^embedded/ : /^verified: a probe .* in \d+ ms/);
    });

    if (backend.kind === 'embedded') return;
    it('warns when the LISTEN connection goes through a transaction pooler: the probe does not arrive', async () => {
      const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: pooledUrl(), SECRETREF_DEVELOPER_ID: randomUUID() };
      const r = await cli(['doctor', '--json'], { env, cwd: mkdtempSync(join(tmpdir(), 'secretref-budget-')) });
      expect(r.code).toBe(0);
      const n = (JSON.parse(r.stdout).checks as { name: string; ok: boolean; warn?: boolean; detail: string; fix?: string }[]).find((c) => c.name === 'notifications');
      expect(n).toMatchObject({ ok: true, warn: true });
      expect(n?.detail).toMatch(/^unverified: /);
      expect(n?.fix).toContain('SECRETREF_NOTIFY_URL');
    });
  },
  ALL_KINDS.filter((k) => k !== 'pooled'),
);

/**
 * Security review #8: row-level security could be switched off by any session. The maintenance
 * policy was keyed on a custom setting the application's own role can set
 * (`SET secretref.maintenance = 'on'`), after which it saw every tenant's rows and audit; and
 * audit rows could be deleted. Now no setting unlocks anything: maintenance (rekey, migrations)
 * runs as the role that owns the store's tables, with FORCE ROW LEVEL SECURITY lifted inside its
 * own transaction, which only an owner can do. The audit is append-only (no UPDATE, DELETE or
 * TRUNCATE privilege, and a trigger that refuses them even to a superuser). With a separate owner
 * role (`maintenanceUrl`) the application role cannot lift row-level security at all; `doctor`
 * warns when the application connects as a superuser, with BYPASSRLS, or as the tables' owner.
 *
 * Runs on the real PostgreSQL 15 server as the non-superuser application role of the test setup.
 * On PGlite the only role is a superuser: row-level security never applies there (the data
 * folder's modes are the wall), and of this file only the append-only audit holds — by trigger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { cli } from '../helpers/cli.js';
import { describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

const A = '00000000-0000-0000-0000-0000000008a1';
const B = '00000000-0000-0000-0000-0000000008b2';

/** The SQLSTATE `p` fails with (a raw driver error), or 'no error'. */
async function sqlState(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String((e as { code?: unknown }).code ?? 'no code');
  }
  return 'no error';
}

async function seed(store: Store): Promise<void> {
  await store.scope(A).create({ name: 'a_secret', value: 'A-VALUE' });
  await store.scope(B).create({ name: 'b_secret', value: 'B-VALUE' });
  await store.scope(B).rotate('b_secret', 'B-VALUE-2');
}

describeBackends('the audit is append-only', (backend) => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit rows to the application role', async () => {
    const store = await backend.open();
    await seed(store);
    const s = store.schema;
    const before = (await store.scope(B).audit()).length;
    expect(before).toBe(2);
    for (const [what, text] of [
      ['delete', `delete from ${s}.audit`],
      ['update', `update ${s}.audit set action = 'create', detail = '{}'`],
      ['truncate', `truncate ${s}.audit`],
    ] as const) {
      expect(await sqlState(backend.sql(text, [], { developerId: B })), what).toMatch(/^(42501|P0001)$/);
    }
    expect((await store.scope(B).audit()).length).toBe(before);
  });
});

describeBackends(
  'row-level security cannot be switched off by a setting',
  (backend) => {
    it("SET secretref.maintenance = 'on' shows the application role no other tenant's rows", async () => {
      const store = await backend.open();
      await seed(store);
      const s = store.schema;
      const c = new pg.Client({ connectionString: backend.url });
      await c.connect();
      try {
        // Session-wide, the way the review did it.
        await c.query(`set secretref.maintenance = 'on'`);
        expect((await c.query(`select name from ${s}.secrets`)).rows).toEqual([]);
        expect((await c.query(`select name from ${s}.audit`)).rows).toEqual([]);
        // Transaction-local, with one tenant set: that tenant's rows only.
        await c.query('begin');
        await c.query(`select set_config('secretref.maintenance', 'on', true), set_config('secretref.developer_id', $1, true)`, [A]);
        expect((await c.query(`select name from ${s}.secrets`)).rows).toEqual([{ name: 'a_secret' }]);
        expect((await c.query(`select distinct developer_id from ${s}.audit`)).rows).toEqual([{ developer_id: A }]);
        await c.query('rollback');
        // No privilege to change the audit, whatever the setting.
        const priv = await c.query(
          `select has_table_privilege(current_user, $1, 'UPDATE') as u, has_table_privilege(current_user, $1, 'DELETE') as d,
                  has_table_privilege(current_user, $1, 'TRUNCATE') as t`,
          [`${s}.audit`],
        );
        expect(priv.rows[0]).toEqual({ u: false, d: false, t: false });
      } finally {
        await c.end();
      }
      // The store's own maintenance still spans tenants.
      const next = keygen();
      expect((await store.rekey(next)).rekeyed).toBe(2);
      expect((await store.scope(B).resolveMany(['b_secret'])).get('b_secret')).toBe('B-VALUE-2');
    });
  },
  ['server'],
);

describe('a separate owner role for maintenance (maintenanceUrl) [server]', () => {
  const { appUrl, adminUrl } = inject('pg');
  const role = `t_owner_${Math.random().toString(36).slice(2, 8)}`;
  const schema = `t_${Math.random().toString(36).slice(2, 10)}`;
  let admin: pg.Client;
  let ownerUrl: string;
  const stores: Store[] = [];

  beforeAll(async () => {
    if (adminUrl === null) throw new Error('this test needs SECRETREF_TEST_ADMIN_DATABASE_URL (a superuser) to create the owner role');
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const db = (await admin.query<{ d: string }>('select current_database() as d')).rows[0]?.d as string;
    await admin.query(`create role ${role} login password 'owner-pw' nosuperuser nocreaterole`);
    await admin.query(`grant create on database "${db}" to ${role}`);
    const u = new URL(appUrl);
    u.username = role;
    u.password = 'owner-pw';
    ownerUrl = u.toString();
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.query(`drop owned by ${role}`);
    await admin.query(`drop role ${role}`);
    await admin.end();
  });

  it('migrates as the owner, works as the application role, which cannot lift row-level security', async () => {
    const key = keygen();
    const store = await openStore({ url: appUrl, maintenanceUrl: ownerUrl, schema, masterKey: key });
    stores.push(store);
    await seed(store);
    const owner = await admin.query<{ o: string }>(`select nspowner::regrole::text as o from pg_namespace where nspname = $1`, [schema]);
    expect(owner.rows[0]?.o).toBe(role);

    const c = new pg.Client({ connectionString: appUrl });
    await c.connect();
    try {
      await c.query(`set secretref.maintenance = 'on'`);
      expect((await c.query(`select name from "${schema}".secrets`)).rows).toEqual([]);
      for (const ddl of [
        `alter table "${schema}".secrets no force row level security`,
        `alter table "${schema}".secrets disable row level security`,
        `drop policy tenant_isolation on "${schema}".secrets`,
        `drop trigger audit_append_only on "${schema}".audit`,
      ]) {
        expect(await sqlState(c.query(ddl)), ddl).toBe('42501');
      }
      // A non-owner's GRANT grants nothing (PostgreSQL only warns).
      await c.query(`grant delete on "${schema}".audit to current_user`);
      const priv = await c.query(`select has_table_privilege(current_user, $1, 'DELETE') as d`, [`"${schema}".audit`]);
      expect(priv.rows[0]).toEqual({ d: false });
      await c.query('begin');
      await c.query(`select set_config('secretref.developer_id', $1, true)`, [B]);
      expect(await sqlState(c.query(`delete from "${schema}".audit`))).toBe('42501');
      await c.query('rollback');
    } finally {
      await c.end();
    }

    // Rekey needs the owner: the application role alone is refused, clearly.
    const appOnly = await openStore({ url: appUrl, schema, masterKey: key });
    stores.push(appOnly);
    expect((await appOnly.scope(A).resolveMany(['a_secret'])).get('a_secret')).toBe('A-VALUE');
    const refused = await rejected(appOnly.rekey(keygen()));
    expect(refused.code).toBe('STORE_UNAVAILABLE');
    expect(refused.message).toContain('maintenanceUrl');
    const next = keygen();
    expect((await store.rekey(next)).rekeyed).toBe(2);
    const reopened = await openStore({ url: appUrl, schema, masterKey: next });
    stores.push(reopened);
    expect((await reopened.scope(B).get('b_secret', { reveal: true, previous: true })).previous?.value).toBe('B-VALUE');
  });

  it('prunes the audit as the owner only; the pruning setting shows the application role nothing; no DELETE privilege stays', async () => {
    const key = keygen();
    const store = await openStore({ url: appUrl, maintenanceUrl: ownerUrl, schema, masterKey: key });
    stores.push(store);
    await admin.query(
      `insert into "${schema}".audit (developer_id, name, action, at) select $1::uuid, 'old_' || g, 'resolve', now() - interval '200 days' from generate_series(1, 5) g`,
      [B],
    );
    const c = new pg.Client({ connectionString: appUrl });
    await c.connect();
    try {
      await c.query('begin');
      await c.query(`select set_config('secretref.audit_prune', 'on', true)`);
      expect((await c.query(`select count(*)::integer as n from "${schema}".audit`)).rows).toEqual([{ n: 0 }]);
      await c.query('rollback');
    } finally {
      await c.end();
    }
    const appOnly = await openStore({ url: appUrl, schema, masterKey: key });
    stores.push(appOnly);
    const refused = await rejected(appOnly.pruneAudit?.() ?? Promise.resolve());
    expect(refused.code).toBe('STORE_UNAVAILABLE');
    expect(refused.message).toContain('maintenanceUrl');
    expect((await store.pruneAudit?.())?.deleted).toBe(5);
    const priv = await admin.query(`select has_table_privilege($1, $2, 'DELETE') as d`, [role, `"${schema}".audit`]);
    expect(priv.rows[0]).toEqual({ d: false });
  });

  it('doctor: no role warning for a plain application role with a separate owner', async () => {
    const store = await openStore({ url: appUrl, maintenanceUrl: ownerUrl, schema, masterKey: keygen() });
    stores.push(store);
    const roles = await store.roles?.();
    expect(roles).toMatchObject({ role: 'secretref_app', superuser: false, bypassRls: false, ownsTables: false, maintenanceRole: role });
  });
});

describe('doctor warns about roles that bypass row-level security [server]', () => {
  const { appUrl, adminUrl } = inject('pg');
  const check = (out: string) =>
    (JSON.parse(out).checks as { name: string; ok: boolean; warn?: boolean; detail: string }[]).find((c) => c.name === 'database role');

  it('as a superuser', async () => {
    if (adminUrl === null) throw new Error('this test needs SECRETREF_TEST_ADMIN_DATABASE_URL (a superuser)');
    // The default schema is shared with other test files that use the application role: make
    // sure that role created it (doctor as the superuser then only reads).
    await (await openStore({ url: appUrl, masterKey: keygen() })).close();
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: adminUrl, SECRETREF_DEVELOPER_ID: A };
    const r = await cli(['doctor', '--json'], { env, cwd: mkdtempSync(join(tmpdir(), 'secretref-doc-')) });
    const c = check(r.stdout);
    expect(c?.warn).toBe(true);
    expect(c?.detail).toMatch(/superuser/);
    expect(r.stdout).not.toContain(env.SECRETS_MASTER_KEY);
  });

  it('as the application role that owns the tables (one role for everything)', async () => {
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: appUrl, SECRETREF_DEVELOPER_ID: A };
    const r = await cli(['doctor', '--json'], { env });
    const c = check(r.stdout);
    expect(c?.warn).toBe(true);
    expect(c?.detail).toMatch(/owns/);
    expect(c?.detail).not.toMatch(/superuser|BYPASSRLS/);
  });

  it('on PGlite it says what applies instead', async () => {
    const env = { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: 'memory:', SECRETREF_DEVELOPER_ID: A };
    const r = await cli(['doctor', '--json'], { env });
    const c = check(r.stdout);
    expect(c?.ok).toBe(true);
    expect(c?.detail).toMatch(/embedded/);
  });
});

/**
 * Tenancy: every operation of one developer is blind to another's secrets (the application's
 * WHERE), ciphertexts are bound to their row and tenant, and on a server row-level security hides
 * other developers' rows from SQL that forgets the WHERE.
 */
import { expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import type { Store } from '../../src/store/types.js';
import { ALL_KINDS, describeBackends } from '../helpers/backends.js';
import { rejected as failure } from '../helpers/expect-error.js';

const A = '0a000000-0000-4000-8000-00000000000a';
const B = '0b000000-0000-4000-8000-00000000000b';


describeBackends('store tenancy', (backend) => {
  it('confines every operation to its developer; another developer\'s secret looks absent', async () => {
    const store = await backend.open();
    const a = store.scope(A);
    const b = store.scope(B);
    await a.create({ name: 'only_a', value: 'A-SECRET', metadata: { owner: 'a' } });
    await a.rotate('only_a', 'A-SECRET-2', { graceMs: 60_000 });

    const absent = await failure(b.get('never_created'));
    const foreign = await failure(b.get('only_a'));
    expect(foreign.code).toBe('SECRET_NOT_FOUND');
    expect(foreign.message.replace('only_a', 'X')).toBe(absent.message.replace('never_created', 'X'));
    for (const attempt of [
      () => b.get('only_a', { reveal: true, previous: true }),
      () => b.update('only_a', { value: 'B-OVERWRITE' }),
      () => b.update('only_a', { name: 'stolen' }),
      () => b.update('only_a', { metadata: null }),
      () => b.delete('only_a'),
      () => b.rotate('only_a', 'B-ROTATE'),
      () => b.rollback('only_a'),
    ]) {
      expect((await failure(attempt())).code).toBe('SECRET_NOT_FOUND');
    }
    expect((await b.resolveMany(['only_a'])).size).toBe(0);
    expect((await b.resolveDetailed(['only_a'])).size).toBe(0);
    expect((await b.inspectMany(['only_a'])).size).toBe(0);
    expect((await b.list()).items).toEqual([]);
    expect((await b.list({ metadata: { owner: 'a' } })).items).toEqual([]);
    expect(await b.audit()).toEqual([]);
    expect(await b.audit({ name: 'only_a' })).toEqual([]);

    // The same name is free for B and independent of A's.
    await b.create({ name: 'only_a', value: 'B-OWN' });
    expect((await b.resolveMany(['only_a'])).get('only_a')).toBe('B-OWN');
    const mine = await a.get('only_a', { reveal: true, previous: true });
    expect(mine.value).toBe('A-SECRET-2');
    expect(mine.previous?.value).toBe('A-SECRET');
    expect(mine.metadata).toEqual({ owner: 'a' });
    expect((await a.audit()).every((e) => e.developerId === A)).toBe(true);
    expect(() => store.scope('not-a-uuid')).toThrow(SecretrefError);
    expect(() => store.scope("'; drop table x; --")).toThrow(SecretrefError);
  });

  it('binds each ciphertext to its row and tenant: a copied ciphertext fails with ENCRYPTION_ERROR', async () => {
    const store: Store = await backend.open();
    const a = store.scope(A);
    const b = store.scope(B);
    const s = store.schema;
    const one = await a.create({ name: 'one', value: 'VALUE-ONE' });
    await a.create({ name: 'two', value: 'VALUE-TWO' });
    await b.create({ name: 'theirs', value: 'VALUE-B' });

    // Within one tenant: row two gets row one's ciphertext.
    await backend.sql(
      `update ${s}.secrets set value_encrypted = (select value_encrypted from ${s}.secrets where secret_id = $1) where name = 'two' and developer_id = $2`,
      [one.id, A],
      { developerId: A },
    );
    const swapped = await failure(a.get('two', { reveal: true }));
    expect(swapped.code).toBe('ENCRYPTION_ERROR');
    expect(swapped.message).not.toContain('VALUE-ONE');
    expect((await failure(a.resolveMany(['two']))).code).toBe('ENCRYPTION_ERROR');
    expect((await a.get('one', { reveal: true })).value).toBe('VALUE-ONE');

    // Across tenants: B's row gets A's ciphertext; and A's whole row moved to B.
    await backend.sql(
      `update ${s}.secrets set value_encrypted = (select value_encrypted from ${s}.secrets where secret_id = $1) where developer_id = $2 and name = 'theirs'`,
      [one.id, B],
      { maintenance: true },
    );
    expect((await failure(b.resolveMany(['theirs']))).code).toBe('ENCRYPTION_ERROR');
    await backend.sql(`update ${s}.secrets set developer_id = $1 where secret_id = $2`, [B, one.id], { maintenance: true });
    expect((await failure(b.get('one', { reveal: true }))).code).toBe('ENCRYPTION_ERROR');
    expect((await failure(b.resolveDetailed(['one']))).code).toBe('ENCRYPTION_ERROR');
  });

  it('never stores the master key or a value in clear', async () => {
    const masterKey = 'Zx8_k2LmQp0-vN7rT4sW9yB3cF6hJ1dG5aE8uI0oP2q';
    const store = await backend.open({ masterKey });
    const a = store.scope(A);
    await a.create({ name: 'clear_check', value: 'PLAINTEXT-MARKER-123', description: 'desc' });
    await a.rotate('clear_check', 'PLAINTEXT-MARKER-456');
    const dump = JSON.stringify(
      await backend.sql(
        `select s.*, encode(value_encrypted, 'escape') as v1, encode(coalesce(previous_value_encrypted, ''), 'escape') as v2
           from ${store.schema}.secrets s`,
        [],
        { maintenance: true },
      ),
    );
    const audit = JSON.stringify(await backend.sql(`select * from ${store.schema}.audit`, [], { maintenance: true }));
    for (const text of [dump, audit]) {
      expect(text).not.toContain('PLAINTEXT-MARKER');
      expect(text).not.toContain(masterKey);
    }
    expect(dump).toContain(store.keyId);
  });
}, ALL_KINDS);

describeBackends(
  'row-level security',
  (backend) => {
    it('hides other developers\' rows from SQL that forgets its WHERE (app role, not superuser)', async () => {
      const store = await backend.open();
      const s = store.schema;
      await store.scope(A).create({ name: 'a1', value: 'va1' });
      await store.scope(A).create({ name: 'a2', value: 'va2' });
      await store.scope(B).create({ name: 'b1', value: 'vb1' });
      const [role] = await backend.sql<{ rolsuper: boolean; owner: boolean; forced: boolean }>(
        `select r.rolsuper, c.relowner = r.oid as owner, c.relforcerowsecurity as forced
           from pg_roles r, pg_class c where r.rolname = current_user and c.oid = '${s}.secrets'::regclass`,
      );
      expect(
        role,
        'SECRETREF_TEST_DATABASE_URL must connect as a non-superuser role owning the database: superusers bypass row-level security',
      ).toEqual({ rolsuper: false, owner: true, forced: true });

      const rowsA = await backend.sql<{ name: string }>(`select name from ${s}.secrets order by name`, [], { developerId: A });
      expect(rowsA.map((r) => r.name)).toEqual(['a1', 'a2']);
      const auditB = await backend.sql<{ name: string }>(`select name from ${s}.audit`, [], { developerId: B });
      expect(auditB.map((r) => r.name)).toEqual(['b1']);
      expect(await backend.sql(`select name from ${s}.secrets`)).toEqual([]);

      const updated = await backend.sql(`update ${s}.secrets set description = 'forgot where' returning name`, [], { developerId: A });
      expect(updated).toHaveLength(2);
      expect((await store.scope(B).get('b1')).description).toBeNull();
      await expect(
        backend.sql(
          `insert into ${s}.secrets (developer_id, name, value_encrypted, key_id) values ($1, 'planted', '\\x00', 'k')`,
          [B],
          { developerId: A },
        ),
      ).rejects.toMatchObject({ code: '42501' });
      await backend.sql(`delete from ${s}.secrets`, [], { developerId: A });
      expect((await store.scope(B).resolveMany(['b1'])).get('b1')).toBe('vb1');
      expect((await store.scope(A).list()).items).toEqual([]);
    });
  },
  ['server', 'pooled'],
);

/** The store's operations, run against PGlite and a PostgreSQL server with the same assertions. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { LIMITS } from '../../src/limits.js';
import type { ScopedStore, Store } from '../../src/store/types.js';
import { ALL_KINDS, describeBackends } from '../helpers/backends.js';
import { sleep } from '../helpers/wait.js';

const DEV = '00000000-0000-0000-0000-00000000000a';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SecretrefError);
    return (e as SecretrefError).code;
  }
  return 'no error';
}

const HOSTILE = [
  `it's "quoted" \\ back\\slash`,
  'line1\nline2\r\nline3\ttab',
  '{{ secrets.other }} {% if x %}y{% endif %}',
  '$secrets.other ${secrets.other} $$ $ $1 $$secrets.x',
  "'); drop table secretref.secrets; --",
  'p@ss:w/rd?#&=%20+',
  'ünïcödé ☃ 😀 𝕏 مرحبا שלום 한국어 e\u0301',
  '   leading and trailing spaces   ',
  '\u200b\ufeffzero-width\u2028\u2029',
  '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
  'x'.repeat(LIMITS.maxSecretValueBytes),
  '😀'.repeat(LIMITS.maxSecretValueBytes / 4),
];

describeBackends('store operations', (backend) => {
  async function fresh(): Promise<{ store: Store; dev: ScopedStore }> {
    const store = await backend.open();
    return { store, dev: store.scope(DEV) };
  }

  it('round-trips hostile values byte for byte', async () => {
    const { dev } = await fresh();
    for (const [i, value] of HOSTILE.entries()) {
      await dev.create({ name: `hostile_${i}`, value });
      const got = await dev.get(`hostile_${i}`, { reveal: true });
      expect(Buffer.from(got.value ?? '', 'utf8').equals(Buffer.from(value, 'utf8'))).toBe(true);
    }
    const all = await dev.resolveMany(HOSTILE.map((_, i) => `hostile_${i}`));
    expect(HOSTILE.map((_, i) => all.get(`hostile_${i}`))).toEqual(HOSTILE);
  });

  it('round-trips arbitrary Unicode values (property)', async () => {
    const { dev } = await fresh();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), async (value) => {
        fc.pre(!value.includes('\0'));
        const name = `p_${n++}`;
        await dev.create({ name, value });
        expect((await dev.resolveMany([name])).get(name)).toBe(value);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses values it cannot store unchanged', async () => {
    const { dev } = await fresh();
    expect(await code(dev.create({ name: 'nul', value: 'a\0b' }))).toBe('INVALID_INPUT');
    expect(await code(dev.create({ name: 'lone_high', value: 'a\ud800b' }))).toBe('INVALID_INPUT');
    expect(await code(dev.create({ name: 'lone_low', value: '\udc00' }))).toBe('INVALID_INPUT');
    expect(await code(dev.create({ name: 'empty', value: '' }))).toBe('INVALID_INPUT');
    expect(await code(dev.create({ name: 'big', value: 'x'.repeat(LIMITS.maxSecretValueBytes + 1) }))).toBe('LIMIT_EXCEEDED');
    expect(await code(dev.create({ name: 'big_utf8', value: 'é'.repeat(LIMITS.maxSecretValueBytes / 2 + 1) }))).toBe('LIMIT_EXCEEDED');
    expect(await code(dev.create({ name: 'meta_nul', value: 'v', metadata: { a: 'x\0' } }))).toBe('INVALID_INPUT');
    expect(await code(dev.create({ name: 'meta_arr', value: 'v', metadata: [] as unknown as Record<string, unknown> }))).toBe('INVALID_INPUT');
    expect(await code(dev.rotate('nul', 'a\0b'))).toBe('INVALID_INPUT');
    expect((await dev.list()).items).toEqual([]);
  });

  it('rejects every class of invalid name, at the API and in the database', async () => {
    const { store, dev } = await fresh();
    const bad = ['', '1abc', '_abc', 'a-b', 'a b', 'a.b', 'é', 'ab\n', ' ab', 'a$', 'a'.repeat(LIMITS.maxNameLength + 1), 'секрет'];
    for (const name of bad) {
      expect(await code(dev.create({ name, value: 'v' })), JSON.stringify(name)).toBe('INVALID_NAME');
      expect(await code(dev.get(name)), JSON.stringify(name)).toBe('INVALID_NAME');
    }
    expect(await code(dev.create({ name: 42 as unknown as string, value: 'v' }))).toBe('INVALID_NAME');
    expect(await code(dev.resolveMany(['ok_name', 'bad-name']))).toBe('INVALID_NAME');
    await dev.create({ name: 'a'.repeat(LIMITS.maxNameLength), value: 'v' });
    await dev.create({ name: 'OPENAI_API_KEY', value: 'v' });
    await dev.create({ name: 'x', value: 'v' });
    await dev.create({ name: 'ok', value: 'v' });
    expect(await code(dev.update('ok', { name: 'not ok' }))).toBe('INVALID_NAME');
    // The database enforces the rule and the metadata shape too.
    for (const [sql, params] of [
      [`update ${store.schema}.secrets set name = $1 where name = 'ok'`, ['bad-name']],
      [`update ${store.schema}.secrets set name = $1 where name = 'ok'`, ['b'.repeat(129)]],
      [`update ${store.schema}.secrets set metadata = '[1]'::jsonb where name = 'ok'`, []],
    ] as const) {
      await expect(backend.sql(sql, [...params], { developerId: DEV })).rejects.toMatchObject({ code: '23514' });
    }
  });

  it('reports duplicates as DUPLICATE_NAME, on create and on rename', async () => {
    const { dev } = await fresh();
    await dev.create({ name: 'dup', value: 'one' });
    await dev.create({ name: 'other', value: 'two' });
    expect(await code(dev.create({ name: 'dup', value: 'again' }))).toBe('DUPLICATE_NAME');
    expect(await code(dev.update('other', { name: 'dup' }))).toBe('DUPLICATE_NAME');
    expect((await dev.resolveMany(['dup', 'other'])).get('dup')).toBe('one');
    // Names are case-sensitive: a different case is a different secret.
    await dev.create({ name: 'DUP', value: 'three' });
  });

  it('shows values only with reveal, and describes secrets fully', async () => {
    const { dev } = await fresh();
    const expiresAt = new Date(Date.now() + 86_400_000);
    const created = await dev.create({
      name: 'stripe_key',
      value: 'sk_test_123',
      description: 'Stripe',
      metadata: { env: 'prod', team: { name: 'pay' } },
      expiresAt,
      allowedTools: ['charge'],
      allowedHosts: ['api.stripe.com'],
    });
    expect(created).toMatchObject({ name: 'stripe_key', version: 1, description: 'Stripe', allowedTools: ['charge'] });
    expect(created.expiresAt?.getTime()).toBe(expiresAt.getTime());
    const plain = await dev.get('stripe_key');
    expect(plain).not.toHaveProperty('value');
    expect(JSON.stringify(plain)).not.toContain('sk_test_123');
    expect((await dev.get('stripe_key', { reveal: true })).value).toBe('sk_test_123');
    expect(await code(dev.get('nope'))).toBe('SECRET_NOT_FOUND');
    const inspected = await dev.inspectMany(['stripe_key', 'nope']);
    expect([...inspected.keys()]).toEqual(['stripe_key']);
    expect(JSON.stringify([...inspected.values()])).not.toContain('sk_test_123');
  });

  it('updates every field, clears with null, merges metadata key by key', async () => {
    const { dev } = await fresh();
    await dev.create({ name: 'k', value: 'v1', description: 'd', metadata: { a: 1, b: 2 }, allowedTools: ['t'], expiresAt: '2030-01-01T00:00:00Z' });
    let s = await dev.update('k', { metadata: { b: null, c: 'x' } });
    expect(s.metadata).toEqual({ a: 1, c: 'x' });
    expect(s.version).toBe(1);
    s = await dev.update('k', { value: 'v2', description: null, expiresAt: null, allowedTools: null, allowedHosts: ['h'] });
    expect(s).toMatchObject({ version: 2, description: null, expiresAt: null, allowedTools: null, allowedHosts: ['h'] });
    expect((await dev.get('k', { reveal: true })).value).toBe('v2');
    s = await dev.update('k', { metadata: null });
    expect(s.metadata).toEqual({});
    s = await dev.update('k', { name: 'k2' });
    expect(s.name).toBe('k2');
    expect(await code(dev.get('k'))).toBe('SECRET_NOT_FOUND');
    expect((await dev.resolveMany(['k2'])).get('k2')).toBe('v2');
    expect(await code(dev.update('k2', {}))).toBe('INVALID_INPUT');
    expect(await code(dev.update('k2', { unknown: 1 } as never))).toBe('INVALID_INPUT');
    expect(await code(dev.update('missing', { description: 'x' }))).toBe('SECRET_NOT_FOUND');
    await dev.delete('k2');
    expect(await code(dev.delete('k2'))).toBe('SECRET_NOT_FOUND');
    expect(await code(dev.get('k2'))).toBe('SECRET_NOT_FOUND');
  });

  it('rotates with a grace period, rolls back, and drops the previous value after the grace', async () => {
    const { store, dev } = await fresh();
    await dev.create({ name: 'db_password', value: 'old' });
    const rotated = await dev.rotate('db_password', 'new', { graceMs: 60_000 });
    expect(rotated.version).toBe(2);
    expect(rotated.previous).toMatchObject({ version: 1 });
    const both = await dev.get('db_password', { reveal: true, previous: true });
    expect(both.value).toBe('new');
    expect(both.previous?.value).toBe('old');
    expect((await dev.resolveMany(['db_password'])).get('db_password')).toBe('new');
    const back = await dev.rollback('db_password');
    expect(back.version).toBe(3);
    expect(back.previous).toBeUndefined();
    expect((await dev.get('db_password', { reveal: true })).value).toBe('old');
    expect(await code(dev.rollback('db_password'))).toBe('INVALID_INPUT');

    await dev.rotate('db_password', 'newer', { graceMs: 150 });
    expect((await dev.get('db_password', { reveal: true, previous: true })).previous?.value).toBe('old');
    await sleep(300);
    const after = await dev.get('db_password', { reveal: true, previous: true });
    expect(after.previous).toBeUndefined();
    expect(await code(dev.rollback('db_password'))).toBe('INVALID_INPUT');
    // Dropped for real: the next write of this developer erases the expired ciphertext.
    await dev.create({ name: 'unrelated', value: 'x' });
    const raw = await backend.sql<{ n: number }>(
      `select count(*)::int as n from ${store.schema}.secrets where previous_value_encrypted is not null`,
    );
    expect(raw[0]?.n).toBe(0);

    await dev.rotate('db_password', 'no_grace', { graceMs: 0 });
    expect((await dev.get('db_password')).previous).toBeUndefined();
    expect(await code(dev.rotate('db_password', 'x', { graceMs: -1 }))).toBe('INVALID_INPUT');
    expect(await code(dev.rotate('missing', 'x'))).toBe('SECRET_NOT_FOUND');
  });

  it('resolves many names in one round trip, with details for the resolver', async () => {
    const { store, dev } = await fresh();
    const names = Array.from({ length: 100 }, (_, i) => `name_${i}`);
    for (const name of names) await dev.create({ name, value: `value of ${name}`, allowedHosts: ['h'] });
    const before = store.stats().queries;
    const values = await dev.resolveMany([...names, 'absent_one', names[0] as string]);
    expect(store.stats().queries - before).toBe(1);
    expect(values.size).toBe(100);
    expect(values.get('name_42')).toBe('value of name_42');
    const q = store.stats().queries;
    const detailed = await dev.resolveDetailed(['name_1', 'absent']);
    expect(store.stats().queries - q).toBe(1);
    expect(detailed.get('name_1')).toMatchObject({ name: 'name_1', value: 'value of name_1', version: 1, keyId: store.keyId, allowedHosts: ['h'], allowedTools: null, expiresAt: null });
    expect(detailed.get('name_1')?.updatedAt).toBeInstanceOf(Date);
    const q2 = store.stats().queries;
    expect((await dev.resolveMany([])).size).toBe(0);
    expect(store.stats().queries).toBe(q2);
  });

  it('lists with stable keyset pagination over 2,000 secrets, prefix and metadata filters, never values', async () => {
    const { dev } = await fresh();
    const total = 2000;
    const names: string[] = [];
    for (let i = 0; i < total; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, async (_, j) => {
          const n = i + j;
          const name = `${n % 2 ? 'svc' : 'SVC'}_${String(n).padStart(4, '0')}`;
          names.push(name);
          await dev.create({ name, value: `secret-value-${n}`, metadata: { shard: n % 3, env: n % 2 ? 'prod' : 'dev' } });
        }),
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<ScopedStore['list']>> = await dev.list({ limit: 137, cursor });
      expect(JSON.stringify(page)).not.toContain('secret-value-');
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor;
      pages++;
      // A write behind the cursor in the middle of the walk does not disturb it.
      if (pages === 3) await dev.create({ name: 'AAA_added_midway', value: 'x' });
    } while (cursor);
    expect(seen).toEqual([...names].sort());
    expect(pages).toBe(Math.ceil(total / 137));

    const prod = await dev.list({ metadata: { env: 'prod', shard: 0 }, limit: 1000 });
    expect(prod.items.every((s) => s.metadata.env === 'prod' && s.metadata.shard === 0)).toBe(true);
    expect(prod.items.length).toBe(names.filter((_, i) => i % 2 === 1 && i % 3 === 0).length);
    const prefixed = await dev.list({ prefix: 'svc_01', limit: 1000 });
    expect(prefixed.items.map((s) => s.name)).toEqual(names.filter((n) => n.startsWith('svc_01')).sort());
    // `_` is not a wildcard.
    expect((await dev.list({ prefix: 'svc_0_' })).items).toEqual([]);
    expect(await code(dev.list({ cursor: 'garbage!' }))).toBe('INVALID_INPUT');
    expect(await code(dev.list({ limit: 0 }))).toBe('INVALID_INPUT');
    expect(await code(dev.list({ prefix: "x' or 1=1" }))).toBe('INVALID_INPUT');
  }, 120_000);

  it('audits every write and resolution, never with values', async () => {
    const { dev } = await fresh();
    const start = new Date(Date.now() - 1000);
    await dev.create({ name: 'audited', value: 'AUDIT-VALUE-1' });
    await dev.update('audited', { value: 'AUDIT-VALUE-2', description: 'x' });
    await dev.rotate('audited', 'AUDIT-VALUE-3', { graceMs: 10_000 });
    await dev.rollback('audited');
    await dev.resolveMany(['audited', 'never_existed']);
    await dev.get('audited', { reveal: true });
    await dev.get('audited');
    await dev.update('audited', { name: 'renamed' });
    await dev.delete('renamed');
    const log = await dev.audit({ since: start });
    expect(log.map((e) => e.action)).toEqual(['delete', 'rename', 'reveal', 'resolve', 'rollback', 'rotate', 'update', 'create']);
    expect(log.every((e) => e.developerId === DEV && e.at instanceof Date)).toBe(true);
    expect(log.find((e) => e.action === 'rename')?.detail).toEqual({ from: 'audited', to: 'renamed' });
    expect(JSON.stringify(log)).not.toMatch(/AUDIT-VALUE/);
    expect((await dev.audit({ limit: 2 })).length).toBe(2);
    expect((await dev.audit({ since: new Date(Date.now() + 60_000) })).length).toBe(0);
    await dev.create({ name: 'again', value: 'v' });
    await dev.update('again', { name: 'again2' });
    expect((await dev.audit({ name: 'again2' })).map((e) => e.action)).toEqual(['rename', 'create']);
  });

  it('refuses operations after close', async () => {
    const { store, dev } = await fresh();
    await store.close();
    expect(await code(dev.resolveMany(['x']))).toBe('STORE_UNAVAILABLE');
    expect(() => store.scope(DEV)).toThrow(SecretrefError);
  });
}, ALL_KINDS);

describeBackends(
  'embedded locations',
  () => {
    it('memory:NAME is shared in-process while open; memory: alone is private', async () => {
      const { openStore } = await import('../../src/store/open.js');
      const { keygen } = await import('../../src/store/crypto-key.js');
      const key = keygen();
      const one = await openStore({ url: 'memory:shared_test', masterKey: key });
      const two = await openStore({ url: 'memory:shared_test', masterKey: key });
      await one.scope(DEV).create({ name: 'in_memory', value: 'v' });
      expect((await two.scope(DEV).resolveMany(['in_memory'])).get('in_memory')).toBe('v');
      expect(one.backend).toBe('embedded');
      await one.close();
      expect((await two.scope(DEV).resolveMany(['in_memory'])).get('in_memory')).toBe('v');
      await two.close();
    }, 60_000);
  },
  ['embedded'],
);

/**
 * Security review #7: with database write access but no key, the store could be tampered with.
 * The ciphertext was bound to (developer, secret id) only, so putting back a pre-rotation
 * ciphertext served the old, compromised value under the new version number, and swapping the
 * names of two rows made `secrets.api_key` return the `db_password` value; policy and expiry
 * columns could be nulled unnoticed. Now each ciphertext is bound to developer, id, name and
 * version, and an HMAC under the developer's derived key authenticates name, version, expiry
 * and policy; every read checks it, and a write refuses a row that fails it (so it cannot
 * launder a tampered row). Rename and rollback re-encrypt. Rows from before (bound to developer
 * and id only) keep decrypting, and are re-bound at the first open that may (resumable: each key
 * re-binds its own rows); once every row is re-bound, an unbound row is refused.
 *
 * Every attack here runs as the application role (backend.sql with the tenant set): write access
 * to the rows, no key.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import type { SecretrefError } from '../../src/errors.js';
import { keygen, loadKeyRing } from '../../src/store/crypto-key.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PGP_OPTIONS } from '../../src/store/sql.js';
import type { ScopedStore } from '../../src/store/types.js';
import { describeBackends, type Backend } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

function shown(e: SecretrefError): string {
  return [e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 5 })].join('\n');
}

describeBackends('tampering with database write access and no key', (backend) => {
  async function fresh(): Promise<{ dev: ScopedStore; developerId: string; schema: string; sql: <R>(text: string, params?: unknown[]) => Promise<R[]> }> {
    const store = await backend.open();
    const developerId = randomUUID();
    const sql = <R>(text: string, params: unknown[] = []) => backend.sql<R>(text, params, { developerId });
    return { dev: store.scope(developerId), developerId, schema: store.schema, sql };
  }

  /** Every read refuses, none returns a value. */
  async function refusedEverywhere(dev: ScopedStore, name: string, values: string[]): Promise<void> {
    const attempts: [string, () => Promise<unknown>][] = [
      ['resolveMany', () => dev.resolveMany([name])],
      ['resolveDetailed', () => dev.resolveDetailed([name])],
      ['reveal', () => dev.get(name, { reveal: true })],
      ['get', () => dev.get(name)],
      ['inspectMany', () => dev.inspectMany([name])],
      ['list', () => dev.list()],
    ];
    for (const [what, attempt] of attempts) {
      const e = await rejected(attempt());
      expect(e.code, what).toBe('ENCRYPTION_ERROR');
      for (const v of values) expect(shown(e).includes(v), what).toBe(false);
    }
  }

  it('a pre-rotation ciphertext put back is refused, with or without its old version number', async () => {
    const { dev, schema, sql } = await fresh();
    await dev.create({ name: 'api_key', value: 'OLD-COMPROMISED-VALUE' });
    const [old] = await sql<{ c: Buffer }>(`select value_encrypted as c from ${schema}.secrets where name = 'api_key'`);
    await dev.rotate('api_key', 'NEW-VALUE', { graceMs: 0 });
    await sql(`update ${schema}.secrets set value_encrypted = $1 where name = 'api_key'`, [old?.c]);
    // The ciphertext is bound to version 2: it does not decrypt as version 2's value.
    for (const read of [() => dev.resolveMany(['api_key']), () => dev.resolveDetailed(['api_key']), () => dev.get('api_key', { reveal: true })]) {
      const e = await rejected(read());
      expect(e.code).toBe('ENCRYPTION_ERROR');
      expect(shown(e)).not.toContain('OLD-COMPROMISED-VALUE');
    }
    // And with the version put back too: the HMAC over the version refuses every read.
    await sql(`update ${schema}.secrets set version = 1 where name = 'api_key'`);
    await refusedEverywhere(dev, 'api_key', ['OLD-COMPROMISED-VALUE', 'NEW-VALUE']);
  });

  it('swapping the names of two rows is refused: api_key never returns the db_password value', async () => {
    const { dev, schema, sql } = await fresh();
    await dev.create({ name: 'api_key', value: 'API-KEY-VALUE' });
    await dev.create({ name: 'db_password', value: 'DB-PASSWORD-VALUE' });
    await sql(`update ${schema}.secrets set name = 'swap_tmp' where name = 'api_key'`);
    await sql(`update ${schema}.secrets set name = 'api_key' where name = 'db_password'`);
    await sql(`update ${schema}.secrets set name = 'db_password' where name = 'swap_tmp'`);
    await refusedEverywhere(dev, 'api_key', ['API-KEY-VALUE', 'DB-PASSWORD-VALUE']);
    const both = await rejected(dev.resolveMany(['db_password']));
    expect(both.code).toBe('ENCRYPTION_ERROR');
  });

  it('nulling the policy and expiry columns is refused on every read, and no write launders it', async () => {
    const { dev, schema, sql } = await fresh();
    await dev.create({
      name: 'stripe_key',
      value: 'STRIPE-VALUE',
      allowedTools: ['api_call'],
      allowedHosts: ['api.stripe.com'],
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    for (const column of ['allowed_hosts', 'allowed_tools', 'expires_at']) {
      const [before] = await sql<Record<string, unknown>>(`select ${column} as v from ${schema}.secrets where name = 'stripe_key'`);
      await sql(`update ${schema}.secrets set ${column} = null where name = 'stripe_key'`);
      await refusedEverywhere(dev, 'stripe_key', ['STRIPE-VALUE']);
      // A later write through secretref would sign the tampered row: it is refused too.
      for (const write of [() => dev.update('stripe_key', { description: 'touched' }), () => dev.rotate('stripe_key', 'OTHER'), () => dev.update('stripe_key', { name: 'renamed' })]) {
        expect((await rejected(write())).code).toBe('ENCRYPTION_ERROR');
      }
      await sql(`update ${schema}.secrets set ${column} = $1 where name = 'stripe_key'`, [before?.v]);
      expect((await dev.resolveDetailed(['stripe_key'])).get('stripe_key')?.allowedHosts).toEqual(['api.stripe.com']);
    }
    // Widening a policy is tampering too.
    await sql(`update ${schema}.secrets set allowed_hosts = array['api.stripe.com', 'evil.example.net'] where name = 'stripe_key'`);
    expect((await rejected(dev.resolveMany(['stripe_key']))).code).toBe('ENCRYPTION_ERROR');
  });

  it('rename and rollback re-encrypt: the old ciphertext no longer fits the row', async () => {
    const { dev, schema, sql } = await fresh();
    await dev.create({ name: 'first', value: 'VALUE-1' });
    await dev.rotate('first', 'VALUE-2', { graceMs: 60_000 });
    const cipher = async (name: string) =>
      (await sql<{ c: Buffer; p: Buffer | null }>(`select value_encrypted as c, previous_value_encrypted as p from ${schema}.secrets where name = $1`, [name]))[0];
    const before = await cipher('first');
    await dev.update('first', { name: 'second' });
    const renamed = await cipher('second');
    expect(Buffer.compare(renamed?.c as Buffer, before?.c as Buffer)).not.toBe(0);
    expect(Buffer.compare(renamed?.p as Buffer, before?.p as Buffer)).not.toBe(0);
    const got = await dev.get('second', { reveal: true, previous: true });
    expect(got.value).toBe('VALUE-2');
    expect(got.previous?.value).toBe('VALUE-1');

    await dev.rollback('second');
    const rolled = await cipher('second');
    expect(Buffer.compare(rolled?.c as Buffer, renamed?.p as Buffer)).not.toBe(0);
    expect(await dev.get('second', { reveal: true })).toMatchObject({ value: 'VALUE-1', version: 3 });
    // The pre-rename ciphertext put back: bound to the old name, it does not decrypt here.
    await sql(`update ${schema}.secrets set value_encrypted = $1 where name = 'second'`, [before?.c]);
    expect((await rejected(dev.resolveMany(['second']))).code).toBe('ENCRYPTION_ERROR');
  });

  it('rekey carries the binding and the HMAC over to the new key, and refuses a tampered row', async () => {
    const store = await backend.open();
    const developerId = randomUUID();
    const dev = store.scope(developerId);
    await dev.create({ name: 'a', value: 'A', allowedHosts: ['h.example.com'] });
    await dev.create({ name: 'b', value: 'B' });
    expect((await store.rekey(keygen())).rekeyed).toBe(2);
    expect((await dev.resolveDetailed(['a'])).get('a')).toMatchObject({ value: 'A', allowedHosts: ['h.example.com'] });
    await backend.sql(`update ${store.schema}.secrets set allowed_hosts = null where name = 'a'`, [], { developerId });
    const e = await rejected(store.rekey(keygen()));
    expect(e.code).toBe('ENCRYPTION_ERROR');
    expect(shown(e)).not.toContain('"A"');
  });

  it('rows from before the binding keep decrypting, are re-bound at open (each key its own), then unbound rows are refused', async () => {
    const keyA = keygen();
    const keyB = keygen();
    const devA = randomUUID();
    const devB = randomUUID();
    const schema = backend.freshSchema();
    await legacyStore(backend, schema, [
      { key: keyA, developerId: devA, name: 'old_a', value: 'LEGACY-A', allowedHosts: ['a.example.com'] },
      { key: keyA, developerId: devA, name: 'old_a2', value: 'LEGACY-A2', allowedHosts: null },
      { key: keyB, developerId: devB, name: 'old_b', value: 'LEGACY-B', allowedHosts: null },
    ]);
    const q = `"${schema}"`;
    // One row from before whose ciphertext was copied from another row: it never decrypted.
    await legacyStore(backend, schema, [{ key: keyA, developerId: devA, name: 'broken', value: 'x', allowedHosts: null }], false);
    await backend.sql(
      `update ${q}.secrets set value_encrypted = (select value_encrypted from ${q}.secrets where name = 'old_a2') where name = 'broken'`,
      [],
      { developerId: devA },
    );
    const bindings = async () =>
      Object.fromEntries(
        (await backend.sql<{ name: string; binding: number }>(`select name, binding from ${q}.secrets order by name`, [], { maintenance: true })).map((r) => [
          r.name,
          r.binding,
        ]),
      );
    const rebound = async () =>
      (await backend.sql(`select 1 from ${q}.migrations where version = 5`, [], { maintenance: true })).length === 1;

    // Key A's open re-binds A's rows; B's rows (another key) stay as they were and still decrypt.
    const a = await backend.open({ schema, masterKey: keyA });
    expect((await a.scope(devA).resolveDetailed(['old_a'])).get('old_a')).toMatchObject({ value: 'LEGACY-A', allowedHosts: ['a.example.com'] });
    // The broken row holds nothing up: marked unusable (binding 0), refused.
    expect(await bindings()).toEqual({ broken: 0, old_a: 2, old_a2: 2, old_b: 1 });
    expect((await rejected(a.scope(devA).resolveMany(['broken']))).code).toBe('ENCRYPTION_ERROR');
    expect(await rebound()).toBe(false);
    const b = await backend.open({ schema, masterKey: keyB });
    expect((await b.scope(devB).resolveMany(['old_b'])).get('old_b')).toBe('LEGACY-B');
    expect(await bindings()).toEqual({ broken: 0, old_a: 2, old_a2: 2, old_b: 2 });
    expect(await rebound()).toBe(true);

    // Every row re-bound: a row pretending to be from before (binding 1, no HMAC) is refused.
    await backend.sql(`update ${q}.secrets set binding = 1, mac = null, allowed_hosts = null where name = 'old_a'`, [], { developerId: devA });
    expect((await rejected(a.scope(devA).resolveMany(['old_a']))).code).toBe('ENCRYPTION_ERROR');
    expect((await a.scope(devA).resolveMany(['old_a2'])).get('old_a2')).toBe('LEGACY-A2');
  });
});

interface LegacyRow {
  key: string;
  developerId: string;
  name: string;
  value: string;
  allowedHosts: string[] | null;
}

/**
 * A store as secretref wrote it at schema version 3, before the binding: migrations 1–3 applied
 * verbatim, rows encrypted under passphrase tenant key ‖ ':' ‖ secret_id, as migration 1's
 * statements did.
 */
async function legacyStore(backend: Backend, schema: string, rows: LegacyRow[], create = true): Promise<void> {
  const [ext] = await backend.sql<{ s: string }>(
    `select n.nspname::text as s from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'`,
  );
  const names = { schema: `"${schema}"`, crypto: `"${ext?.s}"` };
  if (create) await createLegacySchema(backend, schema, names);
  await insertLegacyRows(backend, schema, names, rows);
}

async function createLegacySchema(backend: Backend, schema: string, names: { schema: string; crypto: string }): Promise<void> {
  await backend.sql(`create schema "${schema}"`);
  await backend.sql(`create table "${schema}".migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
    for (const part of splitStatements(m.sql(names))) await backend.sql(part);
    await backend.sql(`insert into "${schema}".migrations (version, name) values ($1, $2)`, [m.version, m.name]);
  }
}

async function insertLegacyRows(backend: Backend, schema: string, names: { schema: string; crypto: string }, rows: LegacyRow[]): Promise<void> {
  for (const r of rows) {
    const ring = loadKeyRing(r.key);
    await backend.sql(
      `insert into "${schema}".secrets (secret_id, developer_id, name, value_encrypted, key_id, allowed_hosts)
       select x.id, $1::uuid, $2::text, ${names.crypto}.pgp_sym_encrypt($3::text, $4::text || ':' || x.id::text, '${PGP_OPTIONS}'), $5::text, $6::text[]
         from (select gen_random_uuid() as id) x`,
      [r.developerId, r.name, r.value, ring.tenantKey(r.developerId), ring.keyId, r.allowedHosts],
      { developerId: r.developerId },
    );
  }
}

/** Splits a migration script into statements (no `$$`-quoted semicolons outside `$fn$` bodies). */
function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of script.split('\n')) {
    current += `${line}\n`;
    if ((line.match(/\$fn\$/g) ?? []).length % 2 === 1) inBody = !inBody;
    if (!inBody && line.trimEnd().endsWith(';')) {
      out.push(current);
      current = '';
    }
  }
  if (current.trim()) out.push(current);
  return out.filter((s) => s.trim() && !/^\s*(--[^\n]*\n\s*)*$/.test(s));
}

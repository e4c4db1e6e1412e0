/**
 * Migration 10: descriptions and lists check each row's HMAC with PostgreSQL's own sha256() from
 * pads the client computes (statements.ts macPads), so they load no pgcrypto. The check must be
 * the one pgcrypto's hmac() makes, for any text and key, on every backend; and a row tampered with
 * must still be refused by exactly these reads.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { macPads } from '../../src/store/statements.js';
import { describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

describeBackends('row HMAC by core sha256()', (backend) => {
  it('equals pgcrypto hmac(text, key, sha256) for any text and key, keys longer than a block included', async () => {
    const store = await backend.open();
    const developerId = randomUUID();
    const sql = <R>(text: string, params: unknown[] = []) => backend.sql<R>(text, params, { developerId });
    const [ext] = await sql<{ s: string }>(`select n.nspname::text as s from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'`);
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '😀', ' ', '\u001f', '-', '0'), maxLength: 80 });
    await fc.assert(
      fc.asyncProperty(text, fc.string({ minLength: 0, maxLength: 120 }), async (data, key) => {
        const { ipad, opad } = macPads(key);
        const [r] = await sql<{ core: string; pgcrypto: string }>(
          `select ${store.schema}.hmac_sha256_hex($1::text, $2::bytea, $3::bytea) as core, encode("${ext?.s}".hmac($1::text, $4::text || ':mac', 'sha256'), 'hex') as pgcrypto`,
          [data, ipad, opad, key],
        );
        expect(r?.core).toBe(r?.pgcrypto);
      }),
      { numRuns: 60 },
    );
  });

  it('describing and listing refuse a row whose expiry was changed behind the key, and accept it as written', async () => {
    const store = await backend.open();
    const developerId = randomUUID();
    const dev = store.scope(developerId);
    await dev.create({ name: 'api_key', value: 'VALUE-ONE-1234567' });
    await dev.create({ name: 'other', value: 'VALUE-TWO-1234567' });
    expect((await dev.inspectMany(['api_key'])).get('api_key')?.name).toBe('api_key');
    expect((await dev.list()).items.map((s) => s.name)).toEqual(['api_key', 'other']);
    await backend.sql(`update ${store.schema}.secrets set expires_at = now() + interval '999 days' where name = 'api_key'`, [], { developerId });
    for (const read of [() => dev.inspectMany(['api_key']), () => dev.list(), () => dev.get('api_key')]) {
      expect((await rejected(read())).code).toBe('ENCRYPTION_ERROR');
    }
  });
});

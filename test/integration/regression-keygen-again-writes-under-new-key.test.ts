/**
 * Regression (new-user review, issue 14): a second terminal that ran `keygen` again and wrote
 * under the new master key succeeded silently, and the developer's older rows were then readable
 * by neither key alone. A write whose master key differs from the key of the developer's
 * existing rows is now refused with ENCRYPTION_ERROR naming both fingerprints (never a key),
 * unless a rekey between those keys is in progress. The check is per developer: under
 * row-level security a session sees its own developer's rows only.
 */
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import type { SecretrefError } from '../../src/errors.js';
import { keyFingerprint, keygen, loadKeyRing } from '../../src/store/crypto-key.js';
import { describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

const DEV = '00000000-0000-0000-0000-0000000000d1';
const DEV2 = '00000000-0000-0000-0000-0000000000d2';

function shown(e: SecretrefError): string {
  return [e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 5 })].join('\n');
}

describeBackends('writes under a second master key', (backend) => {
  it('are refused with ENCRYPTION_ERROR naming both fingerprints; nothing is written', async () => {
    const first = keygen();
    const second = keygen();
    const schema = backend.freshSchema();
    const a = (await backend.open({ masterKey: first, schema })).scope(DEV);
    await a.create({ name: 'db_password', value: 'FIRST-KEY-VALUE' });
    await a.rotate('db_password', 'FIRST-KEY-VALUE-2', { graceMs: 60_000 });
    const b = (await backend.open({ masterKey: second, schema })).scope(DEV);

    const attempts: [string, () => Promise<unknown>][] = [
      ['create', () => b.create({ name: 'api_key', value: 'SECOND-KEY-VALUE' })],
      ['update value', () => b.update('db_password', { value: 'SECOND-KEY-VALUE' })],
      ['rotate', () => b.rotate('db_password', 'SECOND-KEY-VALUE')],
      ['rename', () => b.update('db_password', { name: 'renamed' })],
      ['delete', () => b.delete('db_password')],
      ['rollback', () => b.rollback('db_password')],
      ['import', () => b.importSecret({ name: 'imported', value: 'SECOND-KEY-VALUE' }, { source: 'julep' })],
    ];
    for (const [what, attempt] of attempts) {
      const e = await rejected(attempt());
      expect(e.code, what).toBe('ENCRYPTION_ERROR');
      expect(e.message, what).toContain(keyFingerprint(first));
      expect(e.message, what).toContain(keyFingerprint(second));
      expect(e.message, what).toContain('rekey');
      const text = shown(e);
      for (const s of [first, second, loadKeyRing(first).tenantKey(DEV), loadKeyRing(second).tenantKey(DEV), 'KEY-VALUE']) {
        expect(text.includes(s), what).toBe(false);
      }
    }
    // Nothing changed: the first key still reads everything, and nothing new exists.
    const got = await a.get('db_password', { reveal: true, previous: true });
    expect(got).toMatchObject({ value: 'FIRST-KEY-VALUE-2', version: 2 });
    expect(got.previous?.value).toBe('FIRST-KEY-VALUE');
    expect((await a.list()).items.map((i) => i.name)).toEqual(['db_password']);
    expect((await a.audit({ limit: 100 })).map((e) => e.action)).toEqual(['reveal', 'rotate', 'create']);
    // The first key keeps writing.
    await a.create({ name: 'api_key', value: 'FIRST-KEY-VALUE-3' });
  });

  it('a developer without rows may start under any key (the check is per developer)', async () => {
    const schema = backend.freshSchema();
    await (await backend.open({ masterKey: keygen(), schema })).scope(DEV).create({ name: 'x', value: 'v' });
    const other = (await backend.open({ masterKey: keygen(), schema })).scope(DEV2);
    await other.create({ name: 'x', value: 'w' });
    expect((await other.resolveMany(['x'])).get('x')).toBe('w');
  });

  it('two keys racing on an empty developer: one wins, the other is refused', async () => {
    const schema = backend.freshSchema();
    const one = await backend.open({ masterKey: keygen(), schema });
    const two = await backend.open({ masterKey: keygen(), schema });
    for (let round = 0; round < 12; round++) {
      const dev = `00000000-0000-0000-0000-0000000001${String(round).padStart(2, '0')}`;
      const results = await Promise.allSettled([
        ...Array.from({ length: 3 }, (_, i) => one.scope(dev).create({ name: `one_${i}`, value: 'v' })),
        ...Array.from({ length: 3 }, (_, i) => two.scope(dev).create({ name: `two_${i}`, value: 'v' })),
      ]);
      const won = results.map((r) => r.status === 'fulfilled');
      const oneWon = won.slice(0, 3).some(Boolean);
      const twoWon = won.slice(3).some(Boolean);
      expect(oneWon !== twoWon, `round ${round}: ${JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message)))}`).toBe(true);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as SecretrefError).code).toBe('ENCRYPTION_ERROR');
      const keys = new Set((await one.scope(dev).list()).items.map((i) => i.keyId));
      expect(keys.size).toBe(1);
    }
  });

  it('are allowed while a rekey between the two keys is in progress, and refused again once it is done', async () => {
    const oldKey = keygen();
    const newKey = keygen();
    const schema = backend.freshSchema();
    const old = await backend.open({ masterKey: oldKey, schema });
    for (let i = 0; i < 6; i++) await old.scope(DEV).create({ name: `s_${i}`, value: `v${i}` });
    // A rekey interrupted after its first batch (the caller's progress callback throws).
    const stop = new Error('interrupted');
    await expect(
      old.rekey(newKey, {
        batchSize: 2,
        onProgress: () => {
          throw stop;
        },
      }),
    ).rejects.toBe(stop);
    const fresh = await backend.open({ masterKey: newKey, schema });
    const stale = await backend.open({ masterKey: oldKey, schema });
    const third = await backend.open({ masterKey: keygen(), schema });
    await fresh.scope(DEV).create({ name: 'during_new', value: 'n' });
    await stale.scope(DEV).create({ name: 'during_old', value: 'o' });
    const refused = await rejected(third.scope(DEV).create({ name: 'during_third', value: 't' }));
    expect(refused.code).toBe('ENCRYPTION_ERROR');
    expect(refused.message).toMatch(new RegExp(`${keyFingerprint(oldKey)}|${keyFingerprint(newKey)}`));

    const resumed = await backend.open({ masterKey: oldKey, schema });
    const done = await resumed.rekey(newKey);
    expect(done.otherKeys).toEqual({});
    expect((await fresh.scope(DEV).resolveMany(['s_0', 'during_old', 'during_new'])).size).toBe(3);
    const after = await rejected(stale.scope(DEV).create({ name: 'after_old', value: 'o' }));
    expect(after.code).toBe('ENCRYPTION_ERROR');
    expect(after.message).toContain(keyFingerprint(newKey));
    await fresh.scope(DEV).create({ name: 'after_new', value: 'n' });
  });
});

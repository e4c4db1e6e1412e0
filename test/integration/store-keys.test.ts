/**
 * Master keys: missing, weak, wrong; fingerprints instead of keys in errors; driver errors
 * sanitised; rekey, including a rekey killed with SIGKILL mid-way and resumed.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecretrefError } from '../../src/errors.js';
import { keyFingerprint, keygen, loadKeyRing, masterKeyWeakness } from '../../src/store/crypto-key.js';
import { wrapDbError } from '../../src/store/db-errors.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { describeBackends } from '../helpers/backends.js';
import { spawnChild } from '../helpers/child.js';
import { rejected as failure } from '../helpers/expect-error.js';
import { sleep } from '../helpers/wait.js';

const DEV = '00000000-0000-0000-0000-0000000000c1';
const DEV2 = '00000000-0000-0000-0000-0000000000c2';


function leaks(e: SecretrefError, ...secrets: string[]): boolean {
  const text = [e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 5 })].join('\n');
  return secrets.some((s) => text.includes(s));
}

describe('master keys', () => {
  it('keygen makes distinct 256-bit keys that pass the strength check', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => keygen()));
    expect(keys.size).toBe(2000);
    for (const k of keys) {
      expect(Buffer.from(k, 'base64url')).toHaveLength(32);
      expect(masterKeyWeakness(k)).toBeUndefined();
    }
  });

  it('refuses missing and weak keys before touching the database', async () => {
    const folder = join(tmpdir(), `secretref-never-${process.pid}-${Date.now()}`);
    const saved = process.env.SECRETS_MASTER_KEY;
    delete process.env.SECRETS_MASTER_KEY;
    try {
      expect((await failure(openStore({ url: `file:${folder}` }))).code).toBe('MASTER_KEY_MISSING');
      expect((await failure(openStore({ url: `file:${folder}`, masterKey: '  ' }))).code).toBe('MASTER_KEY_MISSING');
      const weak = [
        'short',
        'correct horse',
        'a'.repeat(64),
        'ab'.repeat(32),
        '0123456789'.repeat(4),
        'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
        'passwordpasswordpasswordpassword',
        '00000000000000000000000000000001',
      ];
      for (const key of weak) {
        const e = await failure(openStore({ url: `file:${folder}`, masterKey: key }));
        expect(e.code, key).toBe('MASTER_KEY_WEAK');
        expect(leaks(e, key)).toBe(false);
      }
      process.env.SECRETS_MASTER_KEY = 'x'.repeat(40);
      expect((await failure(openStore({ url: `file:${folder}` }))).code).toBe('MASTER_KEY_WEAK');
      expect(existsSync(folder)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.SECRETS_MASTER_KEY;
      else process.env.SECRETS_MASTER_KEY = saved;
    }
  });

  it('never shows the key when the key ring is printed or serialised', () => {
    const key = keygen();
    const ring = loadKeyRing(key);
    const shown = `${inspect(ring)} ${JSON.stringify(ring)} ${String(Object.values(ring))}`;
    expect(shown).not.toContain(key);
    expect(shown).toContain(keyFingerprint(key));
    expect(ring.tenantKey(DEV)).not.toContain(key);
    expect(ring.tenantKey(DEV)).not.toBe(ring.tenantKey(DEV2));
  });

  it('sanitises driver errors: no parameter, detail or query text survives', () => {
    const raw = Object.assign(new Error('invalid input syntax for type uuid: "TOP-SECRET-PARAM"'), {
      code: '22P02',
      detail: 'TOP-SECRET-DETAIL',
      where: 'TOP-SECRET-WHERE',
      query: 'select TOP-SECRET-QUERY',
      params: ['TOP-SECRET-PARAM'],
    });
    const e = wrapDbError(raw, 'resolve');
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('22P02');
    expect(leaks(e, 'TOP-SECRET')).toBe(false);
    expect(e.cause).toBeUndefined();
    const net = wrapDbError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432 password=TOP-SECRET'), { code: 'ECONNREFUSED' }), 'open');
    expect(net.code).toBe('STORE_UNAVAILABLE');
    expect(leaks(net, 'TOP-SECRET')).toBe(false);
  });

  it('fails with STORE_UNAVAILABLE in bounded time when the server is unreachable, without echoing the URL', async () => {
    const key = keygen();
    const refused = await failure(openStore({ url: 'postgres://app:hunter2-pw@127.0.0.1:1/db', masterKey: key, connectTimeoutMs: 1000 }));
    expect(refused.code).toBe('STORE_UNAVAILABLE');
    expect(leaks(refused, 'hunter2-pw', key)).toBe(false);
    // A server that accepts connections and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    const hung = await failure(openStore({ url: `postgres://app:hunter2-pw@127.0.0.1:${port}/db`, masterKey: key, connectTimeoutMs: 800 }));
    expect(hung.code).toBe('STORE_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(leaks(hung, 'hunter2-pw', key)).toBe(false);
    silent.close();
    expect((await failure(openStore({ url: 'mysql://x', masterKey: key }))).code).toBe('INVALID_INPUT');
  });
});

describeBackends('keys and rekey', (backend) => {
  it('a wrong key gives ENCRYPTION_ERROR naming fingerprints, never keys', async () => {
    const right = keygen();
    const wrong = keygen();
    const schema = backend.freshSchema();
    const store = await backend.open({ masterKey: right, schema });
    await store.scope(DEV).create({ name: 'locked', value: 'LOCKED-VALUE' });
    const other = await backend.open({ masterKey: wrong, schema });
    const dev = other.scope(DEV);
    expect((await dev.get('locked')).keyId).toBe(keyFingerprint(right));
    for (const attempt of [() => dev.get('locked', { reveal: true }), () => dev.resolveMany(['locked']), () => dev.resolveDetailed(['locked'])]) {
      const e = await failure(attempt());
      expect(e.code).toBe('ENCRYPTION_ERROR');
      expect(e.message).toContain(keyFingerprint(right));
      expect(e.message).toContain(keyFingerprint(wrong));
      expect(leaks(e, right, wrong, 'LOCKED-VALUE', loadKeyRing(right).tenantKey(DEV))).toBe(false);
    }
  });

  it('never puts a value or a key into an error, whatever the value (property)', async () => {
    const key = keygen();
    const wrongKey = keygen();
    const schema = backend.freshSchema();
    const store = await backend.open({ masterKey: key, schema });
    const other = await backend.open({ masterKey: wrongKey, schema });
    const dev = store.scope(DEV);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.string({ unit: 'grapheme', maxLength: 40 }), async (id, tail) => {
        const value = `${id}${tail}`;
        const name = `v_${n++}`;
        await dev.create({ name, value });
        const errors = await Promise.all([
          failure(dev.create({ name, value })),
          failure(dev.create({ name: value, value })),
          failure(dev.rotate(name, `${value}\0`)),
          failure(dev.resolveMany([name, value])),
          failure(other.scope(DEV).get(name, { reveal: true })),
          failure(other.scope(DEV).resolveMany([name])),
          failure(openStore({ url: 'memory:', masterKey: value.slice(0, 20) })),
        ]);
        expect(errors.map((e) => e.code)).toEqual([
          'DUPLICATE_NAME',
          'INVALID_NAME',
          'INVALID_INPUT',
          'INVALID_NAME',
          'ENCRYPTION_ERROR',
          'ENCRYPTION_ERROR',
          'MASTER_KEY_WEAK',
        ]);
        for (const e of errors) expect(leaks(e, value, key, wrongKey, id)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('rekeys every row, current and previous values, and switches the store to the new key', async () => {
    const oldKey = keygen();
    const newKey = keygen();
    const schema = backend.freshSchema();
    const store = await backend.open({ masterKey: oldKey, schema });
    const a = store.scope(DEV);
    const b = store.scope(DEV2);
    for (let i = 0; i < 25; i++) await a.create({ name: `a_${i}`, value: `va-${i}` });
    await b.create({ name: 'b_0', value: 'vb' });
    await a.rotate('a_0', 'va-0-new', { graceMs: 60_000 });
    const events: string[][] = [];
    store.subscribe((e) => e.type === 'change' && events.push(e.names));
    const progress: number[] = [];
    expect((await failure(store.rekey('weak'))).code).toBe('MASTER_KEY_WEAK');
    const result = await store.rekey(newKey, { batchSize: 4, onProgress: (p) => progress.push(p.done) });
    expect(result).toEqual({ rekeyed: 26, keyId: keyFingerprint(newKey), otherKeys: {} });
    expect(progress.at(-1)).toBe(26);
    expect(progress.length).toBe(7);
    expect(events.flat().sort()).toEqual([...Array.from({ length: 25 }, (_, i) => `a_${i}`), 'b_0'].sort());
    expect(store.keyId).toBe(keyFingerprint(newKey));
    expect((await a.get('a_0', { reveal: true, previous: true })).previous?.value).toBe('va-0');
    const fresh = await backend.open({ masterKey: newKey, schema });
    expect((await fresh.scope(DEV).resolveMany(['a_3'])).get('a_3')).toBe('va-3');
    expect((await fresh.scope(DEV2).resolveMany(['b_0'])).get('b_0')).toBe('vb');
    const stale = await backend.open({ masterKey: oldKey, schema });
    expect((await failure(stale.scope(DEV).resolveMany(['a_3']))).code).toBe('ENCRYPTION_ERROR');
    expect((await a.audit({ name: 'a_1' })).map((e) => e.action)).toEqual(['rekey', 'create']);
    expect((await store.rekey(newKey)).rekeyed).toBe(0);
  });

  it('survives SIGKILL mid-rekey: every row readable with the old or the new key, and a rerun finishes', async () => {
    const oldKey = keygen();
    const newKey = keygen();
    const loc = backend.isolatedLocation();
    const total = 120;
    const expected = new Map<string, string>();
    {
      const setup: Store = await openStore({ ...loc, masterKey: oldKey });
      for (let i = 0; i < total; i++) {
        const dev = i % 2 ? DEV : DEV2;
        await setup.scope(dev).create({ name: `k_${i}`, value: `value-${i}-${'§'.repeat(i % 7)}` });
        expected.set(`${dev}/k_${i}`, `value-${i}-${'§'.repeat(i % 7)}`);
      }
      await setup.scope(DEV).rotate('k_1', 'rotated-1', { graceMs: 600_000 });
      expected.set(`${DEV}/k_1`, 'rotated-1');
      await setup.close();
    }
    const child = spawnChild('rekey', { ...loc, batchSize: 3 }, { SECRETS_MASTER_KEY: oldKey, SECRETREF_CHILD_NEW_KEY: newKey });
    await child.waitFor((e) => e.event === 'progress' && Number(e.done) >= 9);
    await sleep(Math.random() * 15);
    child.proc.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');

    const oldStore = await openStore({ ...loc, masterKey: oldKey });
    const newRing = keyFingerprint(newKey);
    const counts = { old: 0, new: 0 };
    const rekeyedNames = new Map<string, string[]>();
    for (const dev of [DEV, DEV2]) {
      const scoped = oldStore.scope(dev);
      const items = (await scoped.list({ limit: 1000 })).items;
      const underOld = items.filter((s) => s.keyId === oldStore.keyId).map((s) => s.name);
      const underNew = items.filter((s) => s.keyId === newRing).map((s) => s.name);
      expect(underOld.length + underNew.length).toBe(items.length);
      counts.old += underOld.length;
      counts.new += underNew.length;
      const values = await scoped.resolveMany(underOld);
      for (const n of underOld) expect(values.get(n)).toBe(expected.get(`${dev}/${n}`));
      rekeyedNames.set(dev, underNew);
    }
    expect(counts.old + counts.new).toBe(total);
    expect(counts.new).toBeGreaterThanOrEqual(9);
    expect(counts.old).toBeGreaterThan(0);
    await oldStore.close();
    {
      const newStore = await openStore({ ...loc, masterKey: newKey });
      for (const [dev, names] of rekeyedNames) {
        const values = await newStore.scope(dev).resolveMany(names);
        for (const n of names) expect(values.get(n)).toBe(expected.get(`${dev}/${n}`));
      }
      await newStore.close();
    }

    const resumed = await openStore({ ...loc, masterKey: oldKey });
    const result = await resumed.rekey(newKey, { batchSize: 50 });
    expect(result.rekeyed).toBe(counts.old);
    expect(result.otherKeys).toEqual({});
    for (const dev of [DEV, DEV2]) {
      const names = [...expected.keys()].filter((k) => k.startsWith(dev)).map((k) => k.slice(dev.length + 1));
      const values = await resumed.scope(dev).resolveMany(names);
      expect(values.size).toBe(names.length);
      for (const n of names) expect(values.get(n)).toBe(expected.get(`${dev}/${n}`));
    }
    expect((await resumed.scope(DEV).get('k_1', { reveal: true, previous: true })).previous?.value).toBe('value-1-§');
    await resumed.close();
  }, 120_000);
});

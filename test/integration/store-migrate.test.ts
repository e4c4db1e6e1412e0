/**
 * `Store.migrateTo` (issue 18, Build 4): an embedded store moved to the PostgreSQL server and
 * back, each time under another master key, keeps every field of every row — ids, versions,
 * metadata, policy, expiry, previous values with their grace deadlines, timestamps — and the
 * audit history; a second run changes nothing; a run killed with SIGKILL at random points loses
 * nothing and a rerun finishes; a target that differs is reported, never overwritten.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { AuditEntry, SecretInfo, Store } from '../../src/store/types.js';
import { spawnCrashChild, randomInt } from '../helpers/crash-spawn.js';
import { sleep } from '../helpers/wait.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh embedded folder (copied from the migrated template). */
function embeddedUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-migrate-'));
  dirs.push(dir);
  cpSync(inject('pgliteTemplate'), join(dir, 'db'), { recursive: true });
  return `file:${join(dir, 'db')}`;
}
const schema = (): string => `m_${Math.random().toString(36).slice(2, 10)}`;

async function open(url: string, key: string, s = 'secretref'): Promise<Store> {
  const store = await openStore({ url, masterKey: key, schema: s });
  stores.push(store);
  return store;
}

/** Two developers with every kind of row and history. */
async function populate(store: Store): Promise<string[]> {
  const devs = [randomUUID(), randomUUID()];
  for (const [i, dev] of devs.entries()) {
    const s = store.scope(dev);
    await s.create({ name: 'db_password', value: `pw-${i}-'"\n☃`, description: 'primary', metadata: { team: 'ops', n: i, nested: { a: [1] } }, expiresAt: new Date(Date.now() + 86_400_000 + 123), allowedTools: ['deploy'], allowedHosts: ['*.example.com'] });
    await s.rotate('db_password', `pw-${i}-rotated`, { graceMs: 3_600_000 });
    await s.create({ name: 'api_token', value: `tok-${i}` });
    await s.update('api_token', { name: 'api_key', metadata: { owner: 'me' } });
    await s.create({ name: 'temp', value: 'gone soon' });
    await s.delete('temp');
    await s.create({ name: 'rolled', value: 'first' });
    await s.rotate('rolled', 'second', { graceMs: 600_000 });
    await s.rollback('rolled');
  }
  return devs;
}

interface Snapshot {
  infos: SecretInfo[];
  audit: Omit<AuditEntry, 'id'>[];
  values: Record<string, string | null>;
}

/** Everything a developer has, through the public API: the audit first (reading values is audited). */
async function snapshot(store: Store, dev: string): Promise<Snapshot> {
  const s = store.scope(dev);
  const audit = (await s.audit({ limit: 10_000 })).map(({ id: _id, ...rest }) => rest);
  const names: string[] = [];
  for await (const n of s.listNames()) names.push(n);
  const infos = [...(await s.inspectMany(names)).values()].map((i) => ({ ...i, keyId: 'k', ...(i.previous ? { previous: { ...i.previous, keyId: 'k' } } : {}) }));
  const values: Record<string, string | null> = {};
  for (const n of names) {
    const got = await s.get(n, { reveal: true, previous: true });
    values[n] = got.value ?? null;
    values[`${n}.previous`] = got.previous?.value ?? null;
  }
  return { infos, audit, values };
}

describe('migrate: embedded → server → embedded', () => {
  it('round-trips every field of every row and the audit history, under new keys; a second run changes nothing', async () => {
    const [k1, k2, k3] = [keygen(), keygen(), keygen()];
    const a = await open(embeddedUrl(), k1);
    const devs = await populate(a);
    const server = await open(inject('pg').appUrl, k2, schema());
    const first = await a.migrateTo!(server);
    expect(first).toMatchObject({ developers: 2, copied: 2, alreadyThere: 0, secrets: 6, verified: true, mismatches: [] });
    expect(first.auditRecords).toBeGreaterThan(10);

    const again = await a.migrateTo!(server);
    expect(again).toMatchObject({ developers: 2, copied: 0, alreadyThere: 2, secrets: 0, auditRecords: 0, verified: true });

    const back = await open(embeddedUrl(), k3);
    expect(await server.migrateTo!(back)).toMatchObject({ copied: 2, verified: true });
    for (const dev of devs) {
      const before = await snapshot(a, dev);
      const after = await snapshot(back, dev);
      expect(after.audit).toEqual(before.audit);
      expect(after.infos).toEqual(before.infos);
      expect(after.values).toEqual(before.values);
      expect(after.infos.find((i) => i.name === 'db_password')?.previous?.version).toBe(1);
    }
    // Under the target's own key: what the target reads is signed and bound there.
    expect(back.keyId).not.toBe(a.keyId);
    const info = await back.scope(devs[0] as string).get('db_password');
    expect(info.keyId).toBe(back.keyId);
  }, 120_000);

  it('a target that already holds a developer is left alone and the difference reported', async () => {
    const key = keygen();
    const a = await open(embeddedUrl(), key);
    const [dev] = await populate(a);
    const b = await open(inject('pg').appUrl, key, schema());
    await b.scope(dev as string).create({ name: 'db_password', value: 'someone else' });
    const r = await a.migrateTo!(b);
    expect(r.verified).toBe(false);
    expect(r.alreadyThere).toBe(1);
    expect(r.mismatches.some((m) => m.developerId === dev && m.field === 'missing')).toBe(true);
    expect(JSON.stringify(r)).not.toContain('someone else');
    expect((await b.scope(dev as string).get('db_password', { reveal: true })).value).toBe('someone else');
  }, 60_000);
});

describe('migrate killed with SIGKILL', () => {
  it('loses nothing at any point; reruns finish the job and verify', async () => {
    const [k1, k2] = [keygen(), keygen()];
    const url = embeddedUrl();
    const src = await openStore({ url, masterKey: k1 });
    const devs: string[] = [];
    for (let d = 0; d < 12; d++) {
      const dev = randomUUID();
      devs.push(dev);
      for (let i = 0; i < 3; i++) await src.scope(dev).create({ name: `s_${i}`, value: `v-${d}-${i}`, metadata: { d, i } });
      await src.scope(dev).rotate('s_0', `v-${d}-0b`, { graceMs: 3_600_000 });
    }
    await src.close(); // the child opens the embedded folder itself
    const to = { url: inject('pg').appUrl, schema: schema() };
    const log: string[] = [];
    for (let k = 0; k < 3; k++) {
      const child = spawnCrashChild('migrate', { url, schema: 'secretref', to }, { SECRETS_MASTER_KEY: k1, SECRETREF_CHILD_NEW_KEY: k2 });
      const target = randomInt(0, 8);
      await child.waitFor((e) => (target === 0 ? e.event === 'open' : e.event === 'progress' && Number(e.done) >= target) || e.event === 'done' || e.event === 'error');
      await sleep(randomInt(0, 20));
      const how = await child.kill();
      expect(child.events.find((e) => e.event === 'error'), child.stderr().slice(-1000)).toBeUndefined();
      log.push(`${target}:${String(how)}`);
      // Every developer on the target is whole: all three secrets, or nothing.
      const t = await openStore({ ...to, masterKey: k2 });
      for (const dev of devs) {
        const names: string[] = [];
        for await (const n of t.scope(dev).listNames()) names.push(n);
        expect([0, 3], `${dev} after kill ${k}`).toContain(names.length);
      }
      await t.close();
    }
    const rerun = spawnCrashChild('migrate', { url, schema: 'secretref', to }, { SECRETS_MASTER_KEY: k1, SECRETREF_CHILD_NEW_KEY: k2 });
    expect(await rerun.exited, rerun.stderr().slice(-2000)).toBe(0);
    const done = rerun.events.find((e) => e.event === 'migrated');
    expect(done, log.join(' ')).toMatchObject({ verified: true, mismatches: 0 });
    expect(Number(done?.copied) + Number(done?.alreadyThere)).toBe(12);
    const t = await open(to.url, k2, to.schema);
    expect((await t.scope(devs[5] as string).get('s_0', { reveal: true, previous: true })).previous?.value).toBe('v-5-0');
  }, 180_000);
});

/**
 * Crash safety on the PostgreSQL server: `rotate` and `rekey` run in a child process that is
 * killed with SIGKILL at random points (after a random number of acknowledged operations, plus a
 * random delay that lands inside the next transaction as often as between two). After every kill:
 * every secret reads back byte-exact with the key its row names, its value is the one its version
 * says, every acknowledged operation is there, and rerunning the interrupted work completes it.
 *
 * Default run: 300 secrets, 5 kill points. SECRETREF_STRESS=1: 3,000 secrets, 22 kill points.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyFingerprint, keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { SecretInfo, Store } from '../../src/store/types.js';
import { indexOf, secretName, valueOf } from '../helpers/canary.js';
import { randomInt, spawnCrashChild, type CrashChild, type CrashEvent } from '../helpers/crash-spawn.js';
import { budget, scale } from '../helpers/stress.js';
import { sleep } from '../helpers/wait.js';

const N = scale(300, 3_000);
const ROTATE_KILLS = scale(2, 8);
const REKEY_KILLS = scale(2, 10);
const MIXED_KILLS = scale(1, 4);
const DEVELOPERS = [randomUUID(), randomUUID(), randomUUID()];
const devOf = (i: number): string => DEVELOPERS[i % DEVELOPERS.length] as string;

const url = inject('pg').appUrl;
const schema = `crash_${Math.random().toString(36).slice(2, 10)}`;
const K1 = keygen();
const K2 = keygen();
const K3 = keygen();
const readers = new Map<string, Store>(); // fingerprint → a store opened with that key
const killLog: string[] = [];

async function reader(key: string): Promise<Store> {
  const id = keyFingerprint(key);
  let s = readers.get(id);
  if (!s) {
    s = await openStore({ url, schema, masterKey: key });
    readers.set(id, s);
  }
  return s;
}

async function listAll(store: Store, developerId: string): Promise<SecretInfo[]> {
  const out: SecretInfo[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.scope(developerId).list({ limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

interface RowState {
  version: number;
  keyId: string;
  previousKeyId: string | undefined;
}

/**
 * Reads every secret back with the key its row names and checks it byte for byte against the
 * value its version stands for. Returns each secret's state by index.
 */
async function verifyAll(keys: string[], opts: { previousSample?: number } = {}): Promise<Map<number, RowState>> {
  const byId = new Map(keys.map((k) => [keyFingerprint(k), k]));
  const any = await reader(keys[0] as string);
  const state = new Map<number, RowState>();
  for (const dev of DEVELOPERS) {
    const items = await listAll(any, dev);
    const groups = new Map<string, SecretInfo[]>();
    for (const s of items) {
      expect(byId.has(s.keyId), `row ${s.name} under an unknown key`).toBe(true);
      groups.set(s.keyId, [...(groups.get(s.keyId) ?? []), s]);
      state.set(indexOf(s.name), { version: s.version, keyId: s.keyId, previousKeyId: s.previous?.keyId });
    }
    for (const [keyId, group] of groups) {
      const store = await reader(byId.get(keyId) as string);
      const values = await store.scope(dev).resolveMany(group.map((s) => s.name));
      for (const s of group) {
        const i = indexOf(s.name);
        expect(values.get(s.name), `${s.name} v${s.version}`).toBe(valueOf(i, s.version - 1));
      }
      // The value the last rotation replaced, readable with the same key during its grace period.
      const sample = group.filter((s) => s.previous?.keyId === keyId).slice(0, opts.previousSample ?? 20);
      for (const s of sample) {
        const got = await store.scope(dev).get(s.name, { reveal: true, previous: true });
        expect(got.previous?.value).toBe(valueOf(indexOf(s.name), (s.previous?.version ?? 0) - 1));
      }
    }
  }
  expect(state.size).toBe(N);
  return state;
}

/** Waits for `pred` (or the child's end), then a random 0–`jitterMs` delay, then SIGKILL. */
async function killWhen(child: CrashChild, pred: (e: CrashEvent) => boolean, jitterMs: number): Promise<boolean> {
  await child.waitFor((e) => pred(e) || e.event === 'done' || e.event === 'error');
  await sleep(randomInt(0, jitterMs));
  const finished = child.events.some((e) => e.event === 'done');
  const how = await child.kill();
  const error = child.events.find((e) => e.event === 'error');
  if (error) throw new Error(`child failed with ${String(error.code)}: ${child.stderr().slice(-1000)}`);
  if (!finished) expect(how).toBe('SIGKILL');
  return !finished;
}

/** Index of the last acknowledged rotation (`from - 1` when the child acknowledged none). */
const lastAck = (child: CrashChild, from: number): number =>
  Math.max(from - 1, ...child.events.filter((e) => e.event === 'ack').map((e) => Number(e.i)));

async function runToEnd(child: CrashChild): Promise<CrashEvent[]> {
  const code = await child.exited;
  expect(code, child.stderr().slice(-2000)).toBe(0);
  expect(child.events.at(-1)?.event).toBe('done');
  return child.events;
}

/** Rotated secrets form a prefix (the child rotates in index order); returns its length. */
function rotatedPrefix(state: Map<number, RowState>, fromVersion: number): number {
  let p = 0;
  while (p < N && state.get(p)?.version === fromVersion + 1) p++;
  for (let i = p; i < N; i++) expect(state.get(i)?.version, `s_${i} after prefix ${p}`).toBe(fromVersion);
  return p;
}

describe('crash safety on the server (SIGKILL mid-rotate, mid-rekey)', () => {
  beforeAll(async () => {
    const setup = await reader(K1);
    for (let i = 0; i < N; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, N - i) }, (_, j) =>
          setup.scope(devOf(i + j)).create({ name: secretName(i + j), value: valueOf(i + j, 0) }),
        ),
      );
    }
  }, budget(120_000, 900_000));

  afterAll(async () => {
    await Promise.all([...readers.values()].map((s) => s.close()));
    console.info(`[reliability] crash-server: ${N} secrets; kills: ${killLog.join(', ')}`);
  });

  it('rotate killed at random points: acknowledged rotations persist, nothing is torn, a rerun completes', async () => {
    let from = 0;
    for (let k = 0; k < ROTATE_KILLS; k++) {
      const child = spawnCrashChild('rotate', { url, schema, developers: DEVELOPERS, from, count: N, gen: 1 }, { SECRETS_MASTER_KEY: K1 });
      const target = from + randomInt(0, Math.floor((N - from) * 0.5));
      const killed = await killWhen(child, (e) => (target === from ? e.event === 'open' : e.event === 'ack' && Number(e.i) >= target), 8);
      const acked = lastAck(child, from);
      const state = await verifyAll([K1]);
      const p = rotatedPrefix(state, 1);
      // Every acknowledged rotation is there; at most the one in flight committed unacknowledged.
      expect(p).toBeGreaterThanOrEqual(acked + 1);
      expect(p).toBeLessThanOrEqual(acked + 2);
      killLog.push(`rotate@${acked + 1}${killed ? '' : '(finished)'}`);
      from = p;
    }
    await runToEnd(spawnCrashChild('rotate', { url, schema, developers: DEVELOPERS, from, count: N, gen: 1 }, { SECRETS_MASTER_KEY: K1 }));
    const state = await verifyAll([K1], { previousSample: 50 });
    expect([...state.values()].every((s) => s.version === 2 && s.previousKeyId === keyFingerprint(K1))).toBe(true);
  }, budget(120_000, 1_800_000));

  it('rekey killed at random points: every row is readable under the key it names, a rerun finishes the job', async () => {
    let underNew = 0;
    for (let k = 0; k < REKEY_KILLS; k++) {
      const child = spawnCrashChild('rekey', { url, schema, batchSize: 10 }, { SECRETS_MASTER_KEY: K1, SECRETREF_CHILD_NEW_KEY: K2 });
      const remaining = N - underNew;
      const target = randomInt(0, Math.floor(remaining * 0.6));
      const killed = await killWhen(child, (e) => (target === 0 ? e.event === 'open' : e.event === 'progress' && Number(e.done) >= target), 15);
      const progressed = Math.max(0, ...child.events.filter((e) => e.event === 'progress').map((e) => Number(e.done)));
      const state = await verifyAll([K1, K2]);
      const now = [...state.values()].filter((s) => s.keyId === keyFingerprint(K2)).length;
      // Committed batches persist: the rows under the new key only grow, by at least what was reported.
      expect(now).toBeGreaterThanOrEqual(underNew + progressed);
      killLog.push(`rekey@${now}/${N}${killed ? '' : '(finished)'}`);
      underNew = now;
    }
    const rerun = await runToEnd(spawnCrashChild('rekey', { url, schema, batchSize: 50 }, { SECRETS_MASTER_KEY: K1, SECRETREF_CHILD_NEW_KEY: K2 }));
    const result = rerun.find((e) => e.event === 'rekeyed');
    expect(result?.otherKeys).toEqual({});
    expect(Number(result?.rekeyed)).toBe(N - underNew);
    const state = await verifyAll([K2], { previousSample: 50 });
    expect([...state.values()].every((s) => s.keyId === keyFingerprint(K2) && s.previousKeyId === keyFingerprint(K2))).toBe(true);
  }, budget(120_000, 1_800_000));

  it('rekey and rotate running at once, both killed: every row readable, values match versions, reruns converge', async () => {
    let from = 0;
    for (let k = 0; k < MIXED_KILLS; k++) {
      const rekeyChild = spawnCrashChild('rekey', { url, schema, batchSize: 10 }, { SECRETS_MASTER_KEY: K2, SECRETREF_CHILD_NEW_KEY: K3 });
      // Rows the rekey has moved are rotated under its new key (a write must hold the row's key).
      const rotateChild = spawnCrashChild('rotate', { url, schema, developers: DEVELOPERS, from, count: N, gen: 2 }, { SECRETS_MASTER_KEY: K2, SECRETREF_CHILD_OTHER_KEY: K3 });
      const target = from + randomInt(1, Math.max(1, Math.floor((N - from) * 0.4)));
      await Promise.all([
        killWhen(rotateChild, (e) => e.event === 'ack' && Number(e.i) >= target, 8),
        rotateChild.waitFor((e) => (e.event === 'ack' && Number(e.i) >= target) || e.event === 'done').then(
          () => killWhen(rekeyChild, () => true, 20),
          () => killWhen(rekeyChild, () => true, 0),
        ),
      ]);
      const acked = lastAck(rotateChild, from);
      const state = await verifyAll([K2, K3]);
      const p = rotatedPrefix(state, 2);
      expect(p).toBeGreaterThanOrEqual(acked + 1);
      expect(p).toBeLessThanOrEqual(acked + 2);
      killLog.push(`mixed@rotate ${p},rekey ${[...state.values()].filter((s) => s.keyId === keyFingerprint(K3)).length}`);
      from = p;
    }
    await runToEnd(spawnCrashChild('rotate', { url, schema, developers: DEVELOPERS, from, count: N, gen: 2 }, { SECRETS_MASTER_KEY: K2, SECRETREF_CHILD_OTHER_KEY: K3 }));
    const rerun = await runToEnd(spawnCrashChild('rekey', { url, schema, batchSize: 50 }, { SECRETS_MASTER_KEY: K2, SECRETREF_CHILD_NEW_KEY: K3 }));
    expect(rerun.find((e) => e.event === 'rekeyed')?.otherKeys).toEqual({});
    const state = await verifyAll([K3], { previousSample: 50 });
    expect([...state.values()].every((s) => s.version === 3 && s.keyId === keyFingerprint(K3))).toBe(true);
  }, budget(120_000, 1_800_000));
});

/**
 * Crash safety of the embedded store (PGlite on disk): a writer process is killed with SIGKILL
 * mid-write; the store reopens (breaking the dead writer's folder lock) and every create the
 * writer acknowledged is there, byte-exact; the one in flight is there whole or not at all.
 *
 * What PGlite promises, found out here and pinned by the last test: PGlite starts PostgreSQL with
 * `-F` (fsync off), and its Node file system (Emscripten NODEFS) writes every page through to the
 * real file with a synchronous write() but has no fsync at all. So a commit is in the kernel's page
 * cache when it is acknowledged: it survives the process being killed (tested below), but not an
 * OS crash or power loss, which can lose the last seconds of commits or leave the folder corrupt.
 *
 * The same through the store agent (docs/agent.md): the writer writes through the agent, and
 * the agent — the one process that has the folder open — is killed with SIGKILL mid-write; the
 * next open starts a new agent (breaking the dead agent's lock, replacing its sockets) and every
 * create the writer had acknowledged is there.
 *
 * Default run: 3 kill points (2 of the agent). SECRETREF_STRESS=1: 20 (10).
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import { agentPaths } from '../../src/store/agent.js';
import { agentStatus, stopAgent } from '../../src/store/agent-control.js';
import { openedEmbedded } from '../../src/store/pglite.js';
import type { Store } from '../../src/store/types.js';
import { indexOf, secretName, valueOf } from '../helpers/canary.js';
import { randomInt, spawnCrashChild } from '../helpers/crash-spawn.js';
import { budget, scale } from '../helpers/stress.js';
import { sleep } from '../helpers/wait.js';

const KILLS = scale(3, 20);
const AGENT_KILLS = scale(2, 10);
const DEV = randomUUID();
const KEY = keygen();
const dir = mkdtempSync(join(tmpdir(), 'secretref-crash-embedded-'));
const folder = join(dir, 'db');
const url = `file:${folder}`;
cpSync(inject('pgliteTemplate'), folder, { recursive: true });

const agentFolder = join(dir, 'agent-db');
cpSync(inject('pgliteTemplate'), agentFolder, { recursive: true });

afterAll(async () => {
  await stopAgent({ url: `file:${agentFolder}` }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * After a kill: every acknowledged write (s_0 … s_acked) is there with its value; the one in flight
 * is there whole or not at all, and nothing beyond it. Closes the store; returns the next index.
 */
async function checkAcknowledged(store: Store, acked: number, log: string[]): Promise<number> {
  const rows = await present(store);
  for (let i = 0; i <= acked; i++) expect(rows.get(i), `acknowledged s_${i} lost`).toBe(valueOf(i, 0));
  const inFlight = rows.get(acked + 1);
  if (inFlight !== undefined) expect(inFlight).toBe(valueOf(acked + 1, 0));
  expect(Math.max(...rows.keys())).toBeLessThanOrEqual(acked + 1);
  await store.close();
  log.push(`${acked + 1}${inFlight === undefined ? '' : '+1'}`);
  return Math.max(...rows.keys()) + 1;
}

async function present(store: Store): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let cursor: string | null = null;
  const names: string[] = [];
  do {
    const page = await store.scope(DEV).list({ limit: 1000, cursor });
    names.push(...page.items.map((s) => s.name));
    cursor = page.nextCursor;
  } while (cursor !== null);
  for (const [name, value] of await store.scope(DEV).resolveMany(names)) out.set(indexOf(name), value);
  expect(out.size).toBe(names.length);
  return out;
}

describe('embedded store: a writer killed mid-write', () => {
  it('keeps every acknowledged create, whole, across SIGKILLs; the in-flight one is all or nothing', async () => {
    // Migrate once up front so the kill points land in writes, not in the first open.
    await (await openStore({ url, masterKey: KEY })).close();
    let next = 0;
    const log: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const child = spawnCrashChild('write', { url, schema: 'secretref', developers: [DEV], from: next, count: next + 100_000 }, { SECRETS_MASTER_KEY: KEY });
      const target = next + randomInt(3, 40);
      await child.waitFor((e) => (e.event === 'ack' && Number(e.i) >= target) || e.event === 'error');
      await sleep(randomInt(0, 10));
      expect(await child.kill()).toBe('SIGKILL');
      expect(child.events.some((e) => e.event === 'error'), child.stderr()).toBe(false);
      const acked = Math.max(...child.events.filter((e) => e.event === 'ack').map((e) => Number(e.i)));
      // The dead writer's lock is still on disk; opening breaks it (its pid is gone).
      expect(existsSync(`${folder}.lock`)).toBe(true);
      expect(JSON.parse(readFileSync(`${folder}.lock`, 'utf8')).pid).toBe(child.proc.pid);

      const store = await openStore({ url, masterKey: KEY, lockTimeoutMs: 10_000 });
      next = await checkAcknowledged(store, acked, log);
    }
    // Still a working store after all that.
    const store = await openStore({ url, masterKey: KEY });
    await store.scope(DEV).create({ name: secretName(next), value: valueOf(next, 0) });
    expect((await present(store)).size).toBe(next + 1);
    await store.close();
    console.info(`[reliability] crash-embedded: ${KILLS} kills; acknowledged rows at each kill: ${log.join(', ')}`);
  }, budget(120_000, 900_000));

  it('through the store agent: the agent killed mid-write loses no acknowledged create', async () => {
    const agentUrl = `file:${agentFolder}`;
    let next = 0;
    const log: string[] = [];
    for (let k = 0; k < AGENT_KILLS; k++) {
      const child = spawnCrashChild('write', { url: agentUrl, schema: 'secretref', developers: [DEV], from: next, count: next + 100_000 }, { SECRETS_MASTER_KEY: KEY, SECRETREF_AGENT: 'auto' });
      const target = next + randomInt(3, 40);
      await child.waitFor((e) => (e.event === 'ack' && Number(e.i) >= target) || e.event === 'error');
      expect(child.events.some((e) => e.event === 'error'), child.stderr()).toBe(false);
      const agent = await agentStatus({ url: agentUrl });
      expect(agent?.pid).toBeGreaterThan(0);
      await sleep(randomInt(0, 10));
      process.kill(agent?.pid as number, 'SIGKILL');
      // The writer's next statement fails (the agent is gone); it is killed too if it still runs.
      await Promise.race([child.exited, sleep(5_000)]);
      await child.kill();
      const acked = Math.max(...child.events.filter((e) => e.event === 'ack').map((e) => Number(e.i)));
      // The dead agent's lock and sockets are still there; the next open replaces them.
      expect(JSON.parse(readFileSync(`${agentFolder}.lock`, 'utf8')).pid).toBe(agent?.pid);
      expect(existsSync(agentPaths(agentFolder).pg)).toBe(true);

      const store = await openStore({ url: agentUrl, masterKey: KEY, agent: 'auto' });
      const fresh = await agentStatus({ url: agentUrl });
      expect(fresh?.pid).toBeGreaterThan(0);
      expect(fresh?.pid).not.toBe(agent?.pid);
      next = await checkAcknowledged(store, acked, log);
    }
    console.info(`[reliability] crash-embedded through the agent: ${AGENT_KILLS} agent kills; acknowledged rows at each kill: ${log.join(', ')}`);
  }, budget(180_000, 900_000));

  it('runs PGlite with fsync off: durable against a killed process, not against an OS crash (README must say so)', async () => {
    const store = await openStore({ url, masterKey: KEY });
    try {
      const db = await openedEmbedded(folder);
      expect(db).toBeDefined();
      const rows = (await db!.query<{ fsync: string }>('show fsync')).rows;
      expect(rows[0]?.fsync).toBe('off');
    } finally {
      await store.close();
    }
  });
});

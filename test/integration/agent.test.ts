/**
 * The store agent through the library (docs/agent.md): `openStore` on a `file:` URL starts the
 * folder's agent and connects to it; several store objects share the store and hear each other's
 * writes; the agent holds no key; its sockets are 0600 and a loose one is refused; it stops on
 * request and when idle; and where it cannot start (the folder held in-process), the warning and
 * the error name the process that holds the store.
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { agentPaths, socketMode } from '../../src/store/agent.js';
import { agentStatus, startAgent, stopAgent } from '../../src/store/agent-control.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store, StoreEvent } from '../../src/store/types.js';
import { spawnChild } from '../helpers/child.js';
import { rejected } from '../helpers/expect-error.js';
import { sleep, until } from '../helpers/wait.js';

const DEV = '11111111-2222-4333-8444-555555555555';
const KEY = keygen();
const dir = mkdtempSync(join(tmpdir(), 'secretref-agent-'));
const folders: string[] = [];

/** A new store folder copied from the migrated template. */
function newFolder(): string {
  const f = join(dir, `db${folders.length}`);
  cpSync(inject('pgliteTemplate'), f, { recursive: true });
  folders.push(f);
  return f;
}

afterAll(async () => {
  for (const f of folders) await stopAgent({ url: `file:${f}` }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('store agent (library)', () => {
  const folder = newFolder();
  const url = `file:${folder}`;
  const opened: Store[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  it('openStore starts the agent and connects; two store objects share the store and hear each other', async () => {
    expect(await agentStatus({ url })).toBeNull();
    const a = await openStore({ url, masterKey: KEY, agent: 'auto' });
    const b = await openStore({ url, masterKey: KEY, agent: 'auto' });
    opened.push(a, b);
    const status = await agentStatus({ url });
    expect(status?.pid).toBeGreaterThan(0);
    expect(status?.pid).not.toBe(process.pid);
    expect(status?.connections).toBeGreaterThanOrEqual(2);
    // The folder lock is the agent's.
    expect(JSON.parse(readFileSync(`${folder}.lock`, 'utf8'))).toMatchObject({ pid: status?.pid, agent: true });

    const events: StoreEvent[] = [];
    b.subscribe((e) => events.push(e));
    await b.listening();
    expect(b.stats().notifications).toBe('verified');
    await a.scope(DEV).create({ name: 'db_password', value: 'first-value' });
    expect((await b.scope(DEV).resolveMany(['db_password'])).get('db_password')).toBe('first-value');
    await until(() => events.some((e) => e.type === 'change' && e.names.includes('db_password')), 5_000);
    expect(a.backend).toBe('embedded');
  });

  it('the agent holds no key: not in its environment, its command line or its log', async () => {
    const status = await agentStatus({ url });
    const pid = status?.pid as number;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const log = readFileSync(agentPaths(folder).log, 'utf8');
    for (const text of [environ, cmdline, log]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('SECRETS_MASTER_KEY');
      expect(text).not.toContain('first-value');
    }
    expect(log).toContain('serving');
  });

  it('serves on 0600 sockets inside the 0700 folder, and a client refuses a socket others could use', async () => {
    const paths = agentPaths(folder);
    expect(socketMode(paths.pg)).toBe('0600');
    expect(socketMode(paths.control)).toBe('0600');
    expect((await agentStatus({ url }))?.socketMode).toBe('0600');
    chmodSync(paths.control, 0o666);
    try {
      const err = await rejected(openStore({ url, masterKey: KEY, agent: 'auto' }));
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.message).toMatch(/mode 0600/);
    } finally {
      chmodSync(paths.control, 0o600);
    }
  });

  it('stops on request: the lock and the sockets are gone, and the next open starts a new agent', async () => {
    for (const s of opened.splice(0)) await s.close();
    const before = (await agentStatus({ url }))?.pid;
    expect(await stopAgent({ url })).toBe(before);
    expect(await agentStatus({ url })).toBeNull();
    expect(existsSync(`${folder}.lock`)).toBe(false);
    expect(existsSync(agentPaths(folder).pg)).toBe(false);
    const again = await openStore({ url, masterKey: KEY, agent: 'auto' });
    opened.push(again);
    expect((await again.scope(DEV).resolveMany(['db_password'])).get('db_password')).toBe('first-value');
    expect((await agentStatus({ url }))?.pid).not.toBe(before);
  });

  it('an open store keeps its agent, and starts a new one before its next statement when the agent went away', async () => {
    const keepUrl = `file:${newFolder()}`;
    await startAgent({ url: keepUrl, idleTimeoutMs: 300 });
    const store = await openStore({ url: keepUrl, masterKey: KEY, agent: 'auto' });
    try {
      await store.scope(DEV).create({ name: 'kept', value: 'kept-value' });
      const first = await agentStatus({ url: keepUrl });
      expect(first?.holders).toBe(1);
      // Past the start grace (5 s) and pg's idle timeout (10 s), which closes the pooled connections.
      await sleep(12_000);
      const later = await agentStatus({ url: keepUrl });
      expect(later?.pid).toBe(first?.pid);
      expect(later?.connections).toBe(0);
      await stopAgent({ url: keepUrl });
      expect((await store.scope(DEV).resolveMany(['kept'])).get('kept')).toBe('kept-value');
      const next = await agentStatus({ url: keepUrl });
      expect(next?.pid).toBeGreaterThan(0);
      expect(next?.pid).not.toBe(first?.pid);
    } finally {
      await store.close();
    }
    await until(async () => (await agentStatus({ url: keepUrl })) === null || (await agentStatus({ url: keepUrl }))?.holders === 0, 5_000);
  }, 60_000);

  it('exits by itself after its idle timeout without a client', async () => {
    const idleUrl = `file:${newFolder()}`;
    const { status, started } = await startAgent({ url: idleUrl, idleTimeoutMs: 300 });
    expect(started).toBe(true);
    expect(status.idleTimeoutMs).toBe(300);
    // Gone, the folder released (its sockets go first, the lock once PGlite has closed).
    await until(async () => (await agentStatus({ url: idleUrl })) === null && !existsSync(`${idleUrl.slice(5)}.lock`), 20_000);
    expect(readFileSync(agentPaths(idleUrl.slice(5)).log, 'utf8')).toMatch(/exiting: idle for 300 ms/);
  });

  it('falls back to the folder lock where the agent cannot start, naming the process that holds the store', async () => {
    const heldUrl = `file:${newFolder()}`;
    // Another process opened the folder itself (SECRETREF_AGENT=never, as the suite's environment says).
    const holder = spawnChild('hold', { url: heldUrl, schema: 'secretref' }, { SECRETS_MASTER_KEY: KEY, SECRETREF_AGENT: 'never' });
    try {
      await holder.waitFor((e) => e.event === 'holding' || e.event === 'error');
      expect(holder.events.some((e) => e.event === 'error'), holder.stderr()).toBe(false);
      const childPid = holder.proc.pid as number;
      const warnings: { message: string; code: string }[] = [];
      const err = await rejected(openStore({ url: heldUrl, masterKey: KEY, agent: 'auto', lockTimeoutMs: 300, onWarning: (message, code) => warnings.push({ message, code }) }));
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.message).toMatch(new RegExp(`in use by process ${childPid} \\(node store-child\\.ts hold`));
      expect(warnings.map((w) => w.code)).toEqual(['SECRETREF_AGENT_UNAVAILABLE']);
      expect(warnings[0]?.message).toMatch(new RegExp(`process ${childPid} \\(node store-child\\.ts hold.*\\) holds the store`));
      expect(err.message).not.toContain(KEY);
    } finally {
      await holder.kill();
    }
  });
});

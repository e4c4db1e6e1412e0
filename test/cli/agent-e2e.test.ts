/**
 * Many processes, one embedded store (issue 17): with a library process holding the store open,
 * 8 concurrent `render` processes of the built CLI and a `secrets rotate` all succeed — before
 * the store agent, they waited for the folder lock and failed with STORE_UNAVAILABLE after 30 s.
 * Then `agent status` / `agent stop` of the built CLI, and --json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAgent } from '../../src/store/agent-control.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { StoreEvent } from '../../src/store/types.js';
import { ensureBuilt } from '../helpers/build.js';
import { BIN, runProcess } from '../helpers/run-process.js';
import { until } from '../helpers/wait.js';

const KEY = keygen();
const DEV = '00000000-0000-0000-0000-000000000000';
const dir = mkdtempSync(join(tmpdir(), 'secretref-agent-e2e-'));
const url = `file:${join(dir, 'db')}`;
const env = { PATH: process.env.PATH ?? '', HOME: dir, SECRETS_MASTER_KEY: KEY, SECRETREF_DATABASE_URL: url };
const cli = (args: string[], input?: string) => runProcess(process.execPath, [BIN, ...args], { cwd: dir, env, ...(input !== undefined ? { input } : {}), timeoutMs: 120_000 });

beforeAll(() => {
  ensureBuilt();
});

afterAll(async () => {
  await stopAgent({ url }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('store agent: parallel CLI processes and a library process share one embedded store', () => {
  it('8 concurrent renders and a rotate, while a library process holds the store, all succeed', async () => {
    const created = await cli(['secrets', 'create', 'db_password'], 'old-value-1234');
    expect(created.stderr).toContain('Created db_password');
    expect(created.code).toBe(0);
    for (let i = 0; i < 8; i++) writeFileSync(join(dir, `tool${i}.yaml`), `name: tool${i}\npassword: $secrets.db_password\n`);

    const lib = await openStore({ url, masterKey: KEY, agent: 'auto' });
    try {
      const events: StoreEvent[] = [];
      lib.subscribe((e) => events.push(e));
      await lib.listening();
      expect((await lib.scope(DEV).resolveMany(['db_password'])).get('db_password')).toBe('old-value-1234');

      const runs = await Promise.all([...Array.from({ length: 8 }, (_, i) => cli(['render', `tool${i}.yaml`, '--format', 'json'])), cli(['secrets', 'rotate', 'db_password', '--grace', '1h'], 'new-value-5678')]);
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      for (const r of runs.slice(0, 8)) expect(['old-value-1234', 'new-value-5678']).toContain((JSON.parse(r.stdout) as { password: string }).password);
      expect(runs[8]?.stderr).toMatch(/db_password/);
      for (const r of runs) expect(r.stderr).not.toMatch(/STORE_UNAVAILABLE|in use by/);

      // The library process heard the rotate of the CLI process, and reads the new value.
      await until(() => events.some((e) => e.type === 'change' && e.names.includes('db_password')), 10_000);
      expect((await lib.scope(DEV).resolveMany(['db_password'])).get('db_password')).toBe('new-value-5678');
    } finally {
      await lib.close();
    }
  }, 240_000);

  it('agent status and stop, as text and --json', async () => {
    const status = await cli(['agent', 'status', '--json']);
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as { version: number; running: boolean; pid: number; socketMode: string; socket: string; idleTimeoutMs: number };
    expect(doc).toMatchObject({ version: 1, running: true, socketMode: '0600', idleTimeoutMs: 60_000 });
    expect(doc.socket).toBe(join(dir, 'db', '.s.PGSQL.5432'));
    const text = await cli(['agent', 'status']);
    expect(text.stderr).toContain(`Store agent ${doc.pid} serves`);

    const stopped = await cli(['agent', 'stop', '--json']);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ version: 1, running: false, stopped: doc.pid });
    expect(JSON.parse((await cli(['agent', 'status', '--json'])).stdout)).toMatchObject({ running: false });
    expect((await cli(['agent', 'stop'])).stderr).toContain('No store agent was running');

    const started = await cli(['agent', 'start', '--idle-timeout', '90s', '--json']);
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ running: true, started: true, idleTimeoutMs: 90_000 });
    expect(JSON.parse((await cli(['agent', 'start', '--json'])).stdout)).toMatchObject({ running: true, started: false });
    expect((await cli(['agent', 'stop'])).stderr).toMatch(/^Stopped store agent \d+/);
  }, 120_000);

  it('agent commands refuse a store that is not embedded on disk', async () => {
    const r = await runProcess(process.execPath, [BIN, 'agent', 'status'], { cwd: dir, env: { ...env, SECRETREF_DATABASE_URL: 'memory:' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/INVALID_INPUT.*file:PATH|file:PATH.*INVALID_INPUT/s);
  });
});

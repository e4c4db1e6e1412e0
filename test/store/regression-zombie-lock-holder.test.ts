/**
 * A folder lock held by a zombie is stale. A store agent killed with SIGKILL after the process
 * that started it had exited is reparented to PID 1; a PID 1 that does not reap (this container's)
 * leaves it a zombie, which `kill(pid, 0)` still finds. The next agent then took the dead agent's
 * lock for a live one, exited, and every client fell back to opening the store itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireFolderLock, pidAlive } from '../../src/store/lock.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'secretref-zombie-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A zombie: a child of `sleep`, which never waits for its children. */
async function zombie(): Promise<{ pid: number; stop: () => void }> {
  const parent = execFile('bash', ['-c', 'sleep 0.01 & echo $!; exec sleep 30']);
  const pid = await new Promise<number>((ok) => parent.stdout?.once('data', (d: Buffer) => ok(Number(String(d).trim()))));
  await until(() => / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), 5_000);
  return { pid, stop: () => parent.kill('SIGKILL') };
}

describe('folder lock: a zombie holder', () => {
  it('is not alive, and its lock is broken', async () => {
    const z = await zombie();
    try {
      expect(() => process.kill(z.pid, 0)).not.toThrow();
      expect(pidAlive(z.pid)).toBe(false);
      expect(pidAlive(process.pid)).toBe(true);
      const folder = join(dir, 'db');
      writeFileSync(`${folder}.lock`, JSON.stringify({ pid: z.pid, host: hostname(), started: new Date().toISOString(), token: 'dead-agent', agent: true }));
      const lock = await acquireFolderLock(folder, 0);
      expect(JSON.parse(readFileSync(`${folder}.lock`, 'utf8')).pid).toBe(process.pid);
      lock.release();
    } finally {
      z.stop();
    }
  });
});

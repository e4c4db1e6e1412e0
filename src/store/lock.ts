/**
 * Exclusive lock on an embedded data folder. Stock PGlite does not guard its folder: two processes
 * writing one folder lose acknowledged writes. The lock is a file beside the folder created with
 * O_EXCL, holding pid, host and start time; a lock whose pid is dead on this host is stale and is
 * broken (under a short-lived breaker file, so two waiters never both break it). A live holder is
 * waited for up to a timeout, then STORE_UNAVAILABLE names it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretrefError } from '../errors.js';

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** Who holds a folder: written into the lock file, read back to name a holder in errors. */
export interface Holder {
  pid: number;
  host: string;
  started: string;
  token: string;
  /** The holder's command line (argv holds no secret: values come from stdin or a prompt). */
  command?: string;
  /** The holder is a store agent (src/store/agent-main.ts). */
  agent?: boolean;
}

/** This process's command line, short: `node secretref render a.yaml`. */
function commandLine(): string {
  const [node, script, ...rest] = process.argv;
  const name = (p: string | undefined): string => (p === undefined ? '' : (p.split('/').pop() ?? p));
  return [name(node), name(script), ...rest].filter((w) => w !== '').join(' ').slice(0, 200);
}

/** A lock file nobody finished writing is considered abandoned after this long. */
const HALF_WRITTEN_STALE_MS = 5_000;
/** A breaker file older than this belongs to a process that died while breaking. */
const BREAKER_STALE_MS = 10_000;

/** The lock file's holder, when it is whole. */
export function readHolder(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string') {
      return {
        pid: h.pid,
        host: h.host,
        started: String(h.started ?? ''),
        token: h.token,
        ...(typeof h.command === 'string' ? { command: h.command } : {}),
        ...(h.agent === true ? { agent: true } : {}),
      };
    }
  } catch {
    // missing, half-written or not ours
  }
  return undefined;
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Whether process `pid` (on this host) is alive. A zombie is not: a killed store agent whose
 * parent has exited waits for PID 1 to reap it, and some PID 1s (containers) never do.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "PID (COMMAND) STATE …"; COMMAND may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): the signal said alive
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Removes `path` only if it still holds what we judged stale (`token`, or unreadable). */
function breakStale(path: string, staleToken: string | undefined): void {
  const breaker = `${path}.break`;
  try {
    writeFileSync(breaker, String(process.pid), { flag: 'wx' });
  } catch {
    if (ageMs(breaker) > BREAKER_STALE_MS) tryUnlink(breaker);
    return;
  }
  try {
    if (readHolder(path)?.token === staleToken) tryUnlink(path);
  } finally {
    tryUnlink(breaker);
  }
}

/** Takes the lock for `folder` (file `${folder}.lock`), waiting up to `timeoutMs`. */
export async function acquireFolderLock(folder: string, timeoutMs: number, as: { agent?: boolean } = {}): Promise<FolderLock> {
  const path = `${folder}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token: randomUUID(), command: commandLine(), ...(as.agent === true ? { agent: true } : {}) };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SecretrefError('STORE_UNAVAILABLE', `Cannot create the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
    }
    const holder = readHolder(path);
    if (holder === undefined) {
      if (ageMs(path) > HALF_WRITTEN_STALE_MS) breakStale(path, undefined);
    } else if (holder.host === me.host && !pidAlive(holder.pid)) {
      breakStale(path, holder.token);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid}${holder.command ? ` (${holder.command})` : ''} on ${holder.host} (since ${holder.started})` : 'another process';
      throw new SecretrefError(
        'STORE_UNAVAILABLE',
        `The embedded store ${folder} is in use by ${who}; waited ${timeoutMs} ms. Retry when it finishes, or remove ${path} if that process no longer exists.`,
      );
    }
    await sleep(Math.min(200, 20 + attempt * 10) + Math.random() * 20);
  }

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readHolder(path)?.token === me.token) tryUnlink(path);
  };
  process.on('exit', release);
  return { path, release };
}

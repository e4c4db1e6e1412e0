/** Spawns test/helpers/crash-child.ts, reads its JSON lines, and kills it where the test says. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

export interface CrashEvent {
  event: string;
  [k: string]: unknown;
}

export interface CrashChild {
  proc: ChildProcess;
  events: CrashEvent[];
  /** The first event matching `pred`; rejects when the child exits first. */
  waitFor(pred: (e: CrashEvent) => boolean): Promise<CrashEvent>;
  /** Exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
  /** SIGKILL now; resolves once the process is gone. */
  kill(): Promise<number | NodeJS.Signals>;
}

export function spawnCrashChild(cmd: string, args: object, env: Record<string, string>): CrashChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, cmd, JSON.stringify(args)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: CrashEvent[] = [];
  const waiters: { pred: (e: CrashEvent) => boolean; resolve: (e: CrashEvent) => void; reject: (e: Error) => void }[] = [];
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let e: CrashEvent;
    try {
      e = JSON.parse(line) as CrashEvent;
    } catch {
      return;
    }
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  let done = false;
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    // 'close' comes after the process exited and its output was read to the end.
    proc.on('close', (code, signal) => {
      done = true;
      for (const w of waiters.splice(0)) w.reject(new Error(`child exited (${code ?? signal}) first: ${err.slice(-2000)}`));
      resolve(code ?? (signal as NodeJS.Signals));
    });
  });
  return {
    proc,
    events,
    exited,
    stderr: () => err,
    waitFor(pred) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      if (done) return Promise.reject(new Error(`child already exited: ${err.slice(-2000)}`));
      return new Promise((resolve, reject) => waiters.push({ pred, resolve, reject }));
    },
    async kill() {
      if (!done) proc.kill('SIGKILL');
      return await exited;
    },
  };
}

/** A random integer in [lo, hi]. */
export function randomInt(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

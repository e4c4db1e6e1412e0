/** Spawns test/helpers/store-child.ts and reads its JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const SCRIPT = fileURLToPath(new URL('./store-child.ts', import.meta.url));

export interface ChildEvent {
  event: string;
  [k: string]: unknown;
}

export interface Child {
  proc: ChildProcess;
  events: ChildEvent[];
  /** Resolves with the first event matching `pred` (rejects if the child exits first). */
  waitFor(pred: (e: ChildEvent) => boolean): Promise<ChildEvent>;
  /** Resolves with the exit code (or signal) once the child has exited. */
  exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
}

export function spawnChild(cmd: string, args: object, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, cmd, JSON.stringify(args)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: ChildEvent[] = [];
  const waiters: { pred: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void; reject: (e: Error) => void }[] = [];
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let e: ChildEvent;
    try {
      e = JSON.parse(line) as ChildEvent;
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
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    proc.on('exit', (code, signal) => {
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
      if (proc.exitCode !== null || proc.signalCode !== null) {
        return Promise.reject(new Error(`child already exited: ${err.slice(-2000)}`));
      }
      return new Promise((resolve, reject) => waiters.push({ pred, resolve, reject }));
    },
  };
}

/** Spawns a test helper script under tsx and reads its JSON lines (store-child.ts, crash-child.ts). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const STORE_SCRIPT = fileURLToPath(new URL('./store-child.ts', import.meta.url));

export interface ChildEvent {
  event: string;
  [k: string]: unknown;
}

export interface Child {
  proc: ChildProcess;
  events: ChildEvent[];
  /** Resolves with the first event matching `pred` (rejects if the child exits first). */
  waitFor(pred: (e: ChildEvent) => boolean): Promise<ChildEvent>;
  /** Resolves with the exit code (or signal) once the child has exited and its output was read. */
  exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
  /** SIGKILL now; resolves once the process is gone. */
  kill(): Promise<number | NodeJS.Signals>;
}

/** Runs `script cmd JSON(args)` with the extra environment (keys travel there, never on argv). */
export function spawnScript(script: string, cmd: string, args: object, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, cmd, JSON.stringify(args)], {
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

/** Spawns test/helpers/store-child.ts. */
export function spawnChild(cmd: string, args: object, env: Record<string, string> = {}): Child {
  return spawnScript(STORE_SCRIPT, cmd, args, env);
}

/**
 * The external judge of the Julep dialect: `julep_eval.py` (Julep's evaluation rules, run by the
 * real `simpleeval`) as one long-lived child per test file, spoken to in JSON lines. It never
 * skips: a machine without /usr/bin/python3 or simpleeval fails the suite, saying what to install.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's python, the one `python3-simpleeval` installs into (the first `python3` on PATH may be another). */
export const ORACLE_PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'julep_eval.py');
const INSTALL_HINT = 'apt-get install -y python3-simpleeval';

/** Runtime names for a step, or `permissive` for a stand-in that answers any attribute or item. */
export type OracleContext = Record<string, unknown> | 'permissive';

export interface OracleRequest {
  string: string;
  secrets: Readonly<Record<string, string>>;
  context?: OracleContext;
}

/** `value` is the oracle's canonical JSON of the Python result; `error` is an exception class name. */
export type OracleResult = { ok: true; value: unknown } | { ok: false; error: string };

export class JulepOracle {
  private readonly pending = new Map<number, (r: OracleResult) => void>();
  private nextId = 1;
  private buffer = '';
  private failure: Error | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /**
   * Starts the judge; rejects (with the install command) when python or simpleeval is missing.
   * `python`/`pythonArgs` exist for the suite that proves those failures are loud.
   */
  static start(opts: { python?: string; pythonArgs?: string[] } = {}): Promise<JulepOracle> {
    const python = opts.python ?? ORACLE_PYTHON;
    if (!existsSync(python)) {
      return Promise.reject(new Error(`The Julep oracle needs ${python} with simpleeval: ${INSTALL_HINT}`));
    }
    const child = spawn(python, [...(opts.pythonArgs ?? []), SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const oracle = new JulepOracle(child);
    return new Promise((resolve, reject) => {
      let ready = false;
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        stderr += d;
      });
      child.on('error', (e) => reject(new Error(`The Julep oracle could not start ${python} (${e.message}): ${INSTALL_HINT}`)));
      child.on('exit', (code) => {
        const e = new Error(`The Julep oracle exited with status ${code}${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`);
        oracle.failure = e;
        for (const done of oracle.pending.values()) done({ ok: false, error: 'OracleExited' });
        oracle.pending.clear();
        if (!ready) reject(e);
      });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        oracle.buffer += chunk;
        for (let nl = oracle.buffer.indexOf('\n'); nl !== -1; nl = oracle.buffer.indexOf('\n')) {
          const line = oracle.buffer.slice(0, nl);
          oracle.buffer = oracle.buffer.slice(nl + 1);
          const msg = JSON.parse(line) as { ready?: boolean; fatal?: string; id?: number; ok?: boolean; value?: unknown; error?: string };
          if (!ready) {
            if (msg.fatal !== undefined) {
              reject(new Error(`The Julep oracle cannot run: ${msg.fatal}`));
              return;
            }
            ready = msg.ready === true;
            if (ready) resolve(oracle);
            continue;
          }
          const done = msg.id === undefined ? undefined : oracle.pending.get(msg.id);
          if (!done || msg.id === undefined) continue;
          oracle.pending.delete(msg.id);
          done(msg.ok === true ? { ok: true, value: msg.value } : { ok: false, error: msg.error ?? 'Unknown' });
        }
      });
    });
  }

  /** Julep's evaluation of `req.string` with `req.secrets` and the runtime context. */
  evaluate(req: OracleRequest): Promise<OracleResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, string: req.string, secrets: req.secrets, context: req.context ?? null })}\n`);
    });
  }

  /** Ends the child this oracle started (and only it). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) {
        resolve();
        return;
      }
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

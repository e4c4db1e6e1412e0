/**
 * The one in-process driver of the CLI (`run(argv, io)`, STYLE habit 11): captured stdout and
 * stderr, stdin fed from a string, environment and working directory from the test, and, with
 * `tty`, a terminal whose hidden prompts and confirmations are answered from `answers`.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds the run took. */
  ms: number;
}

export interface CliCall {
  stdin?: string;
  /** The whole environment the CLI sees (nothing of the test process leaks in). */
  env?: Record<string, string | undefined>;
  /** Defaults to the test process's working directory. */
  cwd?: string;
  /** Terminal on stdin/stdout/stderr; prompts are answered from `answers` (then '' / no). */
  tty?: boolean;
  answers?: string[];
}

/** A fake Io; `out()` / `err()` return what was written so far. */
export function fakeIo(call: CliCall = {}): Io & { out(): string; err(): string } {
  let stdout = '';
  let stderr = '';
  const answers = [...(call.answers ?? [])];
  const tty = Boolean(call.tty);
  return {
    stdout: { write: (s: string) => (stdout += s), isTTY: tty },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty },
    stdinIsTTY: tty,
    readStdin: async () => call.stdin ?? '',
    promptHidden: async () => answers.shift() ?? '',
    confirm: async () => /^y/i.test(answers.shift() ?? ''),
    env: call.env ?? {},
    cwd: call.cwd ?? process.cwd(),
    out: () => stdout,
    err: () => stderr,
  };
}

/** Runs the CLI in-process; an exception escaping `run` fails the test that awaits it. */
export async function cli(argv: readonly string[], call: CliCall = {}): Promise<CliResult> {
  const io = fakeIo(call);
  const started = performance.now();
  const code = await run(argv, io);
  return { code, stdout: io.out(), stderr: io.err(), ms: performance.now() - started };
}

/** A fresh developer id. */
export const newDeveloper = (): string => randomUUID();

/**
 * Calls of the CLI as one developer on the test suite's PostgreSQL server, all under `masterKey`:
 * `as(developer, cwd, stdin?)`. The server's URL is read when a call is made (inside a test).
 */
export function serverCalls(masterKey: string): (developer: string, cwd: string, stdin?: string) => CliCall {
  return (developer, cwd, stdin) => ({
    cwd,
    ...(stdin !== undefined ? { stdin } : {}),
    env: { SECRETS_MASTER_KEY: masterKey, SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: developer },
  });
}

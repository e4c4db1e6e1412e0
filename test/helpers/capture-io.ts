/**
 * A fake Io for running the CLI in-process (`run(argv, io)`): captures stdout and stderr, feeds
 * stdin from a string, and takes its environment and working directory from the test.
 */
import { run } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds the run took. */
  ms: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd: string;
  stdin?: string;
}

export function captureIo(opts: CliOptions): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    stdinIsTTY: false,
    async readStdin() {
      return opts.stdin ?? '';
    },
    async promptHidden() {
      throw new Error('no terminal in tests');
    },
    async confirm() {
      return false;
    },
    env: { NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd,
  };
}

/** Runs the CLI in-process; an exception escaping `run` fails the test that awaits it. */
export async function cli(argv: readonly string[], opts: CliOptions): Promise<CliResult> {
  const io = captureIo(opts);
  const started = performance.now();
  const code = await run(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join(''), ms: performance.now() - started };
}

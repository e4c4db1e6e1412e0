/** An in-process Io for run(argv, io): captured output, scripted stdin and prompts. */
import { randomUUID } from 'node:crypto';
import { run } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliCall {
  stdin?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Terminal on stdin/stdout/stderr; prompts are answered from `answers`. */
  tty?: boolean;
  answers?: string[];
}

export async function cli(argv: string[], call: CliCall = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const answers = [...(call.answers ?? [])];
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: Boolean(call.tty) },
    stderr: { write: (s: string) => (stderr += s), isTTY: Boolean(call.tty) },
    stdinIsTTY: Boolean(call.tty),
    readStdin: async () => call.stdin ?? '',
    promptHidden: async () => answers.shift() ?? '',
    confirm: async () => /^y/i.test(answers.shift() ?? ''),
    env: call.env ?? {},
    cwd: call.cwd ?? process.cwd(),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

export const newDeveloper = (): string => randomUUID();

/** Runs a program to its end with stdin fed from a string (a value stays off argv): the built CLI, python3. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (test/helpers/build.ts `ensureBuilt()` builds it). */
export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runProcess(cmd: string, args: readonly string[], opts: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number }): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, [...args], { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

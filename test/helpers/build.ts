/**
 * The built CLI for tests and benchmarks that run `dist/cli/main.js`: built once, whichever test file asks first.
 * Test files run in parallel processes, and two `tsc` runs writing dist/ at once let a third
 * read a half-written file; a lock folder serialises them, and a build newer than every source
 * file is not redone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const LOCK = join(ROOT, 'dist', '.build-lock');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function fresh(): boolean {
  try {
    return statSync(MAIN).mtimeMs > newest(join(ROOT, 'src'));
  } catch {
    return false;
  }
}

/**
 * Builds dist/ unless it is newer than src/; waits for a build another test file runs. Returns
 * whether it built (the benchmarks report it).
 */
export function ensureBuilt(): boolean {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK} (remove it if no build is running)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (fresh()) return false;
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'pipe' });
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

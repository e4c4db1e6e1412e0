/** Spawns test/helpers/crash-child.ts, reads its JSON lines, and kills it where the test says. */
import { fileURLToPath } from 'node:url';
import { spawnScript, type Child, type ChildEvent } from './child.js';

const SCRIPT = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

export type CrashEvent = ChildEvent;
export type CrashChild = Child;

export function spawnCrashChild(cmd: string, args: object, env: Record<string, string>): CrashChild {
  return spawnScript(SCRIPT, cmd, args, env);
}

/** A random integer in [lo, hi]. */
export function randomInt(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

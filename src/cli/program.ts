/**
 * The `secretref` process's work, as the bundled command line exports it to its launcher
 * (launch.ts): run the command, flush the output, return the exit code. Two choices here belong to
 * the command-line process only, never to the library (whose long-lived processes want the
 * opposite):
 * - WebAssembly (PGlite, the embedded store) is compiled by V8's baseline compiler only: set by
 *   `baselineWasmOnly()` (context.ts) before the command opens an embedded store.
 * - The process exits as soon as the command is done and its output is flushed, without waiting
 *   for whatever work V8 or a library still has queued (the caller calls process.exit).
 */
import { v8FlagsChanged } from './context.js';
import { processIo } from './io.js';
import { run } from './run.js';

export { v8FlagsChanged };

/** Filled by the bundle (scripts/bundle-cli.mjs): each bundled package adds its name when its code first runs. */
declare const __secretrefPackages: Set<string> | undefined;

/** The bundled packages whose code this process ran (none when unbundled): SECRETREF_LOG_PACKAGES (launch.ts). */
export function loadedPackages(): string[] {
  return typeof __secretrefPackages === 'undefined' ? [] : [...__secretrefPackages].sort();
}

export async function main(argv: readonly string[]): Promise<number> {
  const code = await run(argv, processIo());
  const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  return code;
}

#!/usr/bin/env node
/**
 * The `secretref` process. Two choices here belong to the command-line process only, never to
 * the library (whose long-lived processes want the opposite):
 * - WebAssembly (PGlite, the embedded store) is compiled by V8's baseline compiler only: set by
 *   `baselineWasmOnly()` (context.ts) before the command opens an embedded store.
 * - The process exits as soon as the command is done and its output is flushed, without waiting
 *   for whatever work V8 or a library still has queued.
 */
import { processIo } from './io.js';
import { run } from './run.js';

const code = await run(process.argv.slice(2), processIo());
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

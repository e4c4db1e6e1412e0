#!/usr/bin/env node
/**
 * The `secretref` process. Two choices here belong to the command-line process only, never to
 * the library (whose long-lived processes want the opposite):
 * - WebAssembly (PGlite, the embedded store) is compiled by V8's baseline compiler only. A command
 *   runs a few queries; the optimising tier would cost CPU and memory, pay back only after warm-up
 *   and keep the process alive at exit while it compiles in the background (issue 17: −25% wall,
 *   −40% CPU, −80 MiB for an embedded render). Set before anything loads PGlite.
 * - The process exits as soon as the command is done and its output is flushed, without waiting
 *   for whatever work V8 or a library still has queued.
 */
import { setFlagsFromString } from 'node:v8';
import { processIo } from './io.js';
import { run } from './run.js';

setFlagsFromString('--liftoff-only');

const code = await run(process.argv.slice(2), processIo());
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

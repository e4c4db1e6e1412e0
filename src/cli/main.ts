#!/usr/bin/env node
/**
 * The `secretref` process, unbundled (tsx, tests). The built executable, dist/cli/main.js, is
 * launch.ts instead: it loads the same program from the bundle with its V8 code cache.
 */
import { main } from './program.js';

process.exit(await main(process.argv.slice(2)));

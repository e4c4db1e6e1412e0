/**
 * Bundles the command line (issue 17) into one CommonJS file, `dist/cli/bundle/cli.cjs`, with the
 * pure-JS libraries (yaml, nunjucks, zod, commander, jsep, lru-cache, fastify, the language server)
 * inside, and builds its launcher, `dist/cli/main.js` (src/cli/launch.ts). Then it runs the built
 * CLI once on the example definitions to make the V8 code cache the launcher loads the bundle with.
 *
 * - One file and a code cache: Node.js neither resolves and reads dozens of modules nor parses and
 *   compiles the code a command runs (about a third of an offline lint's start-up).
 * - Still lazy: what a command reaches through `import()` (a command's module, the store, zod, the
 *   server) is in the file but runs only when imported (esbuild's lazy module wrappers; `import()`
 *   becomes a `require` of them, as a classic script has no dynamic import on Node.js 20).
 * - PGlite (it loads its WebAssembly beside its own module), pg and cli-progress stay ordinary
 *   dependencies, required from node_modules. The library (dist/index.js and the rest of dist/) is
 *   tsc's output, unbundled; the store agent runs dist/store/agent-main.js.
 * - Minified: Node.js reads and V8 checks every byte. Not keepNames: it wraps every function made at
 *   run time in a call that sets its name (7% of a 1,000-file lint); nothing reads a function's name.
 * - Each bundled package's files start with a call that records the package when its code first
 *   runs: `SECRETREF_LOG_PACKAGES=FILE` makes the launcher write them (test/cli/startup-imports).
 * - `SECRETREF_BUNDLE_MINIFY=0 node scripts/bundle-cli.mjs` builds it readable, for a profiler.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/cli/bundle', { recursive: true, force: true });
rmSync('dist/cli/chunks', { recursive: true, force: true }); // the earlier, split layout
rmSync('dist/cli/bundle-packages.json', { force: true });

// Required from node_modules when used. fastify and the language server serve long-running
// processes (`serve`, `lsp`), where start-up matters least: outside, they keep their 0.75 MB out of
// the file every command reads and holds in memory.
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite/*', '@electric-sql/pglite-socket', 'pg', 'pg-native', 'cli-progress', 'chokidar', 'fsevents', 'fastify', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument'];

const markPackages = {
  name: 'mark-packages',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c|m)?js$/ }, (args) => {
      const name = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](?!.*node_modules)/.exec(args.path)?.[1]?.replace(/\\/g, '/');
      const text = readFileSync(args.path, 'utf8');
      // After a shebang or a 'use strict' directive, which must stay first.
      const head = /^(#![^\n]*\n)?(\s*(['"])use strict\3;?)?/.exec(text)?.[0] ?? '';
      return { contents: `${head}\n__secretrefPackageLoaded(${JSON.stringify(name)});\n${text.slice(head.length)}`, loader: 'js', resolveDir: args.path.replace(/[\\/][^\\/]*$/, '') };
    });
  },
};

await build({
  entryPoints: ['src/cli/program.ts'],
  outfile: 'dist/cli/bundle/cli.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: [...EXTERNAL],
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__secretrefModuleUrl' },
  // Node.js's CommonJS wrapper, written into the file (launch.ts compiles it as it is: no 2 MB copy).
  footer: { js: '})' },
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) { 'use strict'; var __secretrefModuleUrl = require('node:url').pathToFileURL(__filename).href; var __secretrefPackages = new Set(); function __secretrefPackageLoaded(p) { __secretrefPackages.add(p); }",
  },
  plugins: [markPackages],
  minify: process.env.SECRETREF_BUNDLE_MINIFY !== '0',
  legalComments: 'none',
  logLevel: 'warning',
});

const buildId = createHash('sha256').update(readFileSync('dist/cli/bundle/cli.cjs')).digest('hex').slice(0, 16);
await build({
  entryPoints: ['src/cli/launch.ts'],
  outfile: 'dist/cli/main.js',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { __SECRETREF_BUILD__: JSON.stringify(buildId) },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});

// The code cache: one lint of the example definitions, in a plain `node` (V8 rejects a cache made
// under other flags, so none from NODE_OPTIONS).
const env = { ...process.env, SECRETREF_WRITE_CODE_CACHE: '1', NO_COLOR: '1' };
delete env.NODE_OPTIONS;
const trained = spawnSync(process.execPath, ['dist/cli/main.js', 'lint', '--offline', '--fail-on', 'never', 'fixtures/tools'], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (trained.status !== 0 || !readdirSync('dist/cli/bundle').some((f) => f.endsWith('.cache'))) {
  throw new Error(`making the code cache failed (exit ${trained.status}): ${trained.stderr}`);
}

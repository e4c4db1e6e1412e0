/**
 * Bundles the command line (issue 17): `dist/cli/main.js` becomes one file with the argv layer,
 * plus one chunk per command module loaded on demand (`dist/cli/chunks/`), with the pure-JS
 * libraries (yaml, nunjucks, zod, commander, jsep, lezer, lru-cache, picomatch) inside. Node.js
 * then resolves and reads a handful of files instead of ~400 at start-up. PGlite (it loads its
 * WebAssembly beside its own module), pg and cli-progress stay ordinary dependencies. The library
 * (dist/index.js and the rest of dist/) is tsc's output, unbundled.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: the previous build's would stay behind.
rmSync('dist/cli/chunks', { recursive: true, force: true });

const result = await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', '@electric-sql/pglite-socket', 'pg', 'pg-native', 'cli-progress', 'chokidar', 'fsevents'],
  // CommonJS libraries inside an ES module bundle call require() for Node.js built-ins.
  banner: { js: "import { createRequire as __secretrefRequire } from 'node:module'; const require = __secretrefRequire(import.meta.url);" },
  legalComments: 'none',
  // Node.js compiles every byte of a module it loads: minified, an offline lint's start-up reads
  // 0.43 MB instead of 0.84 MB. No keepNames: it wraps every function made at run time in a call that
  // sets its name (7% of a 1,000-file lint); nothing here reads a function's name (errors set theirs).
  minify: true,
  logLevel: 'warning',
  metafile: true,
});

// Which packages each output file holds (test/cli/startup-imports.test.ts checks what a start loads).
const packages = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  const names = new Set();
  for (const input of Object.keys(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]);
  }
  packages[file] = [...names].sort();
}
writeFileSync('dist/cli/bundle-packages.json', `${JSON.stringify(packages, null, 2)}\n`);

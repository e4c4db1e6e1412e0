/**
 * The `secretref` executable, built to dist/cli/main.js (scripts/bundle-cli.mjs). It loads the
 * bundled command line, bundle/cli.cjs, with the V8 code cache the build made for it by running a
 * lint: Node.js then neither parses the bundle nor compiles the functions a command runs first,
 * which is most of what a start costs (issue 17). Where the cache does not fit — another Node.js
 * or V8 version, other V8 flags, or no cache — V8 says so and the bundle is compiled as usual:
 * slower, never different. Only the build writes the cache (SECRETREF_WRITE_CODE_CACHE=1 on its
 * own run); a user's command never does. The cache is compiled code of the bundle's own source,
 * made from the example definitions: it holds no value a command reads.
 *
 * The bundle is CommonJS because only a classic script can be given a code cache on Node.js 20
 * (`vm.Script`'s cachedData); Node.js 22's module compile cache is not there yet.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The one use of node:vm: it compiles secretref's own bundle, a file of the installation, never
// a definition or any other input (eslint.config.js forbids node:vm everywhere else).
// eslint-disable-next-line no-restricted-imports -- loads the bundled CLI with its code cache
import { Script } from 'node:vm';

/** The build's content hash of the bundle (esbuild `define`): a cache belongs to exactly one bundle. */
declare const __SECRETREF_BUILD__: string;

interface Program {
  main(argv: readonly string[]): Promise<number>;
  v8FlagsChanged(): boolean;
  loadedPackages(): string[];
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bundle');
const file = join(dir, 'cli.cjs');
const build = typeof __SECRETREF_BUILD__ === 'string' ? __SECRETREF_BUILD__ : 'unbuilt';
const cacheFile = join(dir, `cli.${build}.v8-${process.versions.v8}.cache`);

let source: string;
try {
  source = readFileSync(file, 'utf8');
} catch {
  process.stderr.write(`secretref: the bundled command line is missing (${file}); run \`npm run build\`.\n`);
  process.exit(1);
}
let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache for this bundle and V8: compiled as usual
}
// The bundle is Node.js's CommonJS wrapper around the program (the build writes it), so it runs as
// a module file would.
const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
const module = { exports: {} as Program };
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dir);
const program = module.exports;
const code = await program.main(process.argv.slice(2));
if (process.env.SECRETREF_WRITE_CODE_CACHE === '1' && !program.v8FlagsChanged()) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, cacheFile);
}
// What this run loaded: bundled packages whose code ran, Node.js's own modules (node:…), and
// whether V8 took the code cache (code-cache:used, rejected or none).
if (process.env.SECRETREF_LOG_PACKAGES) {
  const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList; // undocumented, stable since Node.js 0.x
  const builtins = loaded.filter((m) => m.startsWith('NativeModule ')).map((m) => `node:${m.slice('NativeModule '.length)}`);
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  writeFileSync(process.env.SECRETREF_LOG_PACKAGES, [...program.loadedPackages(), ...builtins, `code-cache:${cache}`].join('\n'));
}
process.exit(code);

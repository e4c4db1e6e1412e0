/**
 * `secretref demo`: the first thing a newcomer runs. On a throwaway in-memory store it makes a
 * key, stores made-up values for every secret the example definitions in fixtures/tools need,
 * renders each one (values redacted), lints a broken definition, and says what happened. It
 * narrates as it goes (the embedded database takes a moment to boot), so it writes its own lines.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DEFAULT_DEVELOPER_ID, analyzeSource, createResolver, formatDiagnostics, keygen, lint, openStore, render } from '../../index.js';
import { implementCommand } from '../command.js';
import { baselineWasmOnly, type CliContext } from '../context.js';

/** The package root, from src/cli/commands or dist/cli/commands alike. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface DemoOptions {
  /** Print this many rendered definitions in full (redacted). */
  show: number;
}

export interface DemoResult {
  rendered: number;
  /** Error-level findings in the broken definition (the demo expects some). */
  lintErrors: number;
}

export async function demo(options: DemoOptions, ctx: CliContext): Promise<DemoResult> {
  const toolsDir = join(ROOT, 'fixtures', 'tools');
  const files = (await readdir(toolsDir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const sources = new Map<string, string>();
  for (const f of files) sources.set(f, await readFile(join(toolsDir, f), 'utf8'));

  const say = (s: string) => ctx.out(s);
  say('secretref demo — a throwaway in-memory store; nothing is written to disk.\n');
  await baselineWasmOnly();
  const store = await openStore({ url: 'memory:', masterKey: keygen() });
  try {
    say(`1. Generated a 256-bit master key (key id ${store.keyId}); the key itself is never printed.`);
    const names = new Set<string>();
    for (const src of sources.values()) for (const r of analyzeSource(src).references) names.add(r.name);
    const secrets = store.scope(DEFAULT_DEVELOPER_ID);
    for (const name of [...names].sort()) {
      // Made-up values with characters that need care in URLs and JSON.
      await secrets.create({ name, value: `demo-${name.toLowerCase()}-${randomBytes(4).toString('hex')}@:/#%"`, metadata: { source: 'demo' } });
    }
    say(`2. Stored ${names.size} secrets (encrypted with pgcrypto inside PostgreSQL, embedded PGlite).`);

    const resolver = createResolver(store, { developerId: DEFAULT_DEVELOPER_ID });
    const before = store.stats().queries;
    say(`3. Rendered ${files.length} example tool definitions from fixtures/tools (values redacted):`);
    let shown = 0;
    for (const [file, src] of sources) {
      const t0 = performance.now();
      const result = await render(src, { resolver, filename: file });
      const ms = (performance.now() - t0).toFixed(1);
      say(`   ✓ ${file.padEnd(32)} ${String(result.references.length).padStart(2)} reference(s)  ${ms} ms`);
      if (shown < options.show && result.references.length > 0) {
        shown++;
        const text = JSON.stringify(result.value, null, 2);
        say(result.redact(text).split('\n').map((l) => `       ${l}`).join('\n'));
      }
    }
    const st = resolver.stats();
    say(`   store round trips: ${store.stats().queries - before} for ${st.misses + st.hits} lookups (${st.hits} cache hits).`);
    resolver.close();

    const brokenName = 'broken/broken-tool.yaml';
    const broken = await readFile(join(ROOT, 'fixtures', 'broken', 'broken-tool.yaml'), 'utf8');
    const diagnostics = await lint(broken, { filename: brokenName, store, developerId: DEFAULT_DEVELOPER_ID });
    const lintErrors = diagnostics.filter((d) => d.severity === 'error').length;
    say(`4. Linted fixtures/${brokenName}: ${lintErrors} error(s) found before anything runs:`);
    const report = formatDiagnostics(diagnostics, 'text', { color: ctx.color('stdout'), source: broken, excerpt: false });
    say(report.trimEnd().split('\n').map((l) => `   ${l}`).join('\n'));
    say('\nNext: `secretref keygen`, then `export SECRETS_MASTER_KEY=…` and `secretref secrets create NAME` (value on stdin).');
    return { rendered: files.length, lintErrors };
  } finally {
    await store.close();
  }
}

export const demoCommand = implementCommand({
  toOptions: (_args, flags: { show: string }): DemoOptions => ({ show: Math.max(0, Number.parseInt(flags.show, 10) || 0) }),
  run: demo,
  // The demo narrated as it went; its broken definition's errors are the point, not a failure.
  report: () => 0,
});

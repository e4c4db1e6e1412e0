/**
 * The CLI is a user of the library like any other: it imports it only through its public entry,
 * src/index.ts (review 2026-12-01 §2: commands used to import store/migrations, syntax/document…),
 * or its light part src/core.ts (a subset of the same exports, from modules that load no
 * third-party library: what the CLI needs before it knows which command runs, issue 17), or a
 * stage's own entry (src/<stage>/index.ts): the bundled CLI splits by file, so a command that
 * imported src/index.ts would load every stage; one that imports the stages it uses loads those.
 * The front ends beside it (src/serve, src/lsp) it loads only when their command runs: `import()`,
 * or `import type`, which loads nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const CLI = join(SRC, 'cli');
const FRONT_ENDS = [join(SRC, 'serve'), join(SRC, 'lsp')];
const STAGE_ENTRIES = ['syntax', 'store', 'policy', 'resolve', 'render', 'lint', 'import'].map((s) => join(SRC, s, 'index.js'));


function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('src/cli imports the library only through its entries', () => {
  it('every relative import leaving src/cli goes to src/index.ts, src/core.ts or a stage entry, or loads a front end lazily', () => {
    const outside: string[] = [];
    for (const file of files(CLI)) {
      const name = relative(SRC, file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(import\s+type\b[^;]*?from\s+|from\s+|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[2] as string);
        const lazy = (m[1] as string).startsWith('import');
        if (FRONT_ENDS.some((f) => target.startsWith(f + '/')) && lazy) continue;
        if (!target.startsWith(CLI + '/') && target !== join(SRC, 'index.js') && target !== join(SRC, 'core.js') && !STAGE_ENTRIES.includes(target)) outside.push(`${name} → ${m[2]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});

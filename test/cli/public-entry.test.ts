/**
 * The CLI is a user of the library like any other: it imports it only through its public entry,
 * src/index.ts (review 2026-12-01 §2: commands used to import store/migrations, syntax/document…),
 * or its light part src/core.ts (a subset of the same exports, from modules that load no
 * third-party library: what the CLI needs before it knows which command runs, issue 17).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const CLI = join(SRC, 'cli');


function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('src/cli imports the library only through src/index.ts', () => {
  it('every relative import leaving src/cli goes to src/index.ts (or src/core.ts)', () => {
    const outside: string[] = [];
    for (const file of files(CLI)) {
      const name = relative(SRC, file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1] as string);
        if (!target.startsWith(CLI + '/') && target !== join(SRC, 'index.js') && target !== join(SRC, 'core.js')) outside.push(`${name} → ${m[1]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});

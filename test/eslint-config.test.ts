/**
 * eslint.config.js enforces what it says (`npm test` runs ESLint over the repository; this pins
 * the rules themselves, so a weakened config fails here rather than passing silently). The
 * snippets are linted as if they lived at the given paths.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

/** The rule ids ESLint reports for `code` at `filePath`. */
async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('eslint.config.js', () => {
  it.each([
    ['new Function("return 1");', 'no-new-func'],
    ['Function("return 1")();', 'no-new-func'],
    ['eval("1");', 'no-eval'],
    ['globalThis.eval("1");', 'no-eval'],
    ['setTimeout("run()", 1);', 'no-implied-eval'],
    ['globalThis.setInterval("run()", 1);', 'no-implied-eval'],
    ["import vm from 'node:vm';\nvm.runInNewContext('1');", 'no-restricted-imports'],
    ["await import('vm');", 'no-restricted-syntax'],
  ])('refuses code generation in the library: %s', async (code, rule) => {
    expect(await ruleIds('src/render/generated.ts', code)).toEqual([rule]);
  });

  it('refuses console in the library, except in the CLI io module and in bench/', async () => {
    expect(await ruleIds('src/lint/noisy.ts', 'console.log(1);')).toEqual(['no-console']);
    expect(await ruleIds('src/cli/commands/noisy.ts', 'console.error(1);')).toEqual(['no-console']);
    expect(await ruleIds('src/cli/io.ts', 'console.log(1);')).toEqual([]);
    expect(await ruleIds('bench/noisy.ts', 'console.log(1);')).toEqual([]);
  });

  it('wants type-only imports marked as such', async () => {
    const code = "import { Store } from '../store/types.js';\nexport let s: Store | undefined;\n";
    expect(await ruleIds('src/resolve/typed.ts', code)).toEqual(['@typescript-eslint/consistent-type-imports']);
    expect(await ruleIds('src/resolve/typed.ts', code.replace('import {', 'import type {'))).toEqual([]);
  });

  it.each([
    ['src/syntax/a.ts', '../errors.js', true],
    ['src/syntax/a.ts', '../store/types.js', false],
    ['src/syntax/a.ts', '../cli/run.js', false],
    ['src/syntax/a.ts', '../index.js', false],
    ['src/store/a.ts', '../syntax/index.js', true],
    ['src/store/a.ts', '../resolve/resolver.js', false],
    ['src/store/a.ts', '../lint/lint.js', false],
    ['src/store/a.ts', '../policy/usage.js', false],
    ['src/policy/a.ts', '../syntax/document.js', true],
    ['src/policy/a.ts', '../store/types.js', true],
    ['src/policy/a.ts', '../resolve/lookup.js', false],
    ['src/policy/a.ts', '../render/compile.js', false],
    ['src/resolve/a.ts', '../policy/usage.js', true],
    ['src/resolve/a.ts', '../store/types.js', true],
    ['src/resolve/a.ts', '../render/render.js', false],
    ['src/render/a.ts', '../resolve/resolver.js', true],
    ['src/render/a.ts', '../lint/lint.js', false],
    ['src/lint/a.ts', '../render/index.js', true],
    ['src/lint/a.ts', '../cli/run.js', false],
    ['src/import/a.ts', '../store/types.js', true],
    ['src/import/a.ts', '../resolve/lookup.js', false],
    ['src/store/a.ts', '../import/julep.js', false],
    ['src/lint/a.ts', '../import/julep.js', false],
    ['src/cli/a.ts', '../index.js', true],
    ['src/cli/a.ts', './io.js', true],
    ['src/cli/a.ts', 'commander', true],
    ['src/cli/a.ts', '../core.js', true],
    ['src/cli/a.ts', '../errors.js', false],
    ['src/cli/a.ts', '../store/open.js', false],
    ['src/cli/a.ts', '../../package.json', false],
    ['src/cli/commands/a.ts', '../../index.js', true],
    ['src/cli/commands/a.ts', '../context.js', true],
    ['src/cli/commands/a.ts', '../../core.js', true],
    ['src/cli/commands/a.ts', '../../store/open.js', false],
    // A stage's own entry, so that the bundled CLI loads only the stages a command needs.
    ['src/cli/commands/a.ts', '../../lint/index.js', true],
    ['src/cli/commands/a.ts', '../../syntax/index.js', true],
    ['src/cli/commands/a.ts', '../../lint/lint.js', false],
    ['src/cli/commands/a.ts', '../../syntax/indexes.js', false],
    ['src/cli/commands/a.ts', '../../serve/index.js', true],
    ['src/cli/commands/a.ts', '../../lsp/index.js', true],
    ['src/serve/a.ts', '../index.js', true],
    ['src/serve/a.ts', '../cli/json.js', true],
    ['src/serve/a.ts', 'fastify', true],
    ['src/serve/a.ts', '../render/render.js', false],
    ['src/serve/a.ts', '../lsp/server.js', false],
    ['src/lsp/a.ts', '../cli/context.js', true],
    ['src/lsp/a.ts', '../lint/lint.js', false],
    ['src/lsp/a.ts', '../serve/service.js', false],
    ['src/render/a.ts', '../serve/index.js', false],
    ['src/lint/a.ts', '../lsp/index.js', false],
  ] as const)('%s importing %s: allowed %s (statically and with import())', async (file, source, allowed) => {
    expect(await ruleIds(file, `import '${source}';\n`)).toEqual(allowed ? [] : ['no-restricted-imports']);
    expect(await ruleIds(file, `await import('${source}');\n`)).toEqual(allowed ? [] : ['no-restricted-syntax']);
  });
});

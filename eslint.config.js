// @ts-check
/**
 * The conventions of STYLE.md that a tool can check, run by `npm test` (and so by CI):
 *
 * - No code generation or evaluation (`eval`, `Function`, string timers, `node:vm`): a definition's
 *   keys and values must never reach the JS engine as source text (issue 5; this replaces the grep
 *   test test/render/no-code-generation.test.ts).
 * - No `console` in the library: the CLI writes through its Io (src/cli/io.ts); bench/ prints.
 * - Type-only imports say so (`import type`), so erasing them never changes what a module loads.
 * - The pipeline's import graph points one way, syntax → store → policy → resolve → render →
 *   lint → cli (policy: where a value goes and whether it may; it decides over what the store holds;
 *   src/import, the Julep importer, sits beside the pipeline on the store; MAY_IMPORT below):
 *   a stage imports nothing from a later one, nor src/index.ts (which re-exports them all), and
 *   src/cli imports the library only through its public entry, src/index.ts, or a stage's own
 *   entry (src/<stage>/index.ts: the bundled CLI loads only the stages a command needs). Dynamic `import()`
 *   is held to the same rule.
 */
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * The folders of src/ and the ones each may import (besides itself and the root modules errors,
 * limits, entropy): the pipeline in order, and the Julep importer beside it on the store. A folder
 * not named here is not restricted yet.
 */
const MAY_IMPORT = {
  syntax: [],
  store: ['syntax'],
  policy: ['syntax', 'store'],
  resolve: ['syntax', 'store', 'policy'],
  render: ['syntax', 'store', 'policy', 'resolve'],
  lint: ['syntax', 'store', 'policy', 'resolve', 'render'],
  import: ['syntax', 'store'],
  cli: 'the public entry (and its light part src/core.ts) only',
  // The editor and runtime front ends (issue 19): like the CLI they use the library through its
  // public entry, and the CLI's own pieces (context, project config, JSON shapes); the CLI loads
  // them with import() only when `secretref serve` / `secretref lsp` runs.
  serve: 'the public entry and src/cli',
  lsp: 'the public entry and src/cli',
};
/** Front ends: each may import the public entry and the folders listed here, nothing else of src/. */
const FRONT_ENDS = { cli: ['serve', 'lsp'], serve: ['cli'], lsp: ['cli'] };
const STAGES = Object.keys(MAY_IMPORT);
/** Deepest folder nesting inside a stage that the import rules cover (src/cli/commands is 1). */
const MAX_DEPTH = 3;

const CODE_LOADING = {
  paths: ['vm', 'node:vm'].map((name) => ({ name, message: 'No code evaluation: a definition must never reach the JS engine as source text.' })),
};

/** `regex` matched against an import's source, as a no-restricted-imports pattern and as a check of `import()`. */
function restrict(regex, message) {
  return { regex, message, selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]` };
}

/** The import rules for files `depth` folders below src/<stage>/. */
function importRules(stage, depth) {
  const up = `(\\.\\./){${depth + 1}}`; // from the file's folder up to src/
  const rules = [];
  const front = FRONT_ENDS[stage];
  if (front) {
    const others = front.map((f) => `${f}/`).join('|');
    const also = front.map((f) => `src/${f}`).join(', ');
    // A stage's own entry (src/<stage>/index.ts) is public too: the bundled CLI splits by file,
    // so a command that needs one stage imports that stage's entry, not everything.
    const entries = STAGES.filter((s) => !(s in FRONT_ENDS)).join('|');
    rules.push(restrict(`^${up}(?!(index|core)\\.js$|(${entries})/index\\.js$|${others})`, `src/${stage} imports the library only through its public entry (src/index.ts), its light part (src/core.ts), a stage's own entry (src/<stage>/index.ts), its own folder and ${also}.`));
  } else {
    const allowed = MAY_IMPORT[stage];
    const forbidden = STAGES.filter((s) => s !== stage && !allowed.includes(s));
    const may = allowed.length > 0 ? allowed.join(', ') : 'no other stage';
    rules.push(restrict(`^${up}(${forbidden.join('|')})(/|\\.js$|$)`, `src/${stage} imports nothing from ${forbidden.join(', ')} (it may use ${may}).`));
    rules.push(restrict(`^${up}index\\.js$`, `src/${stage} does not import the public entry src/index.ts: it re-exports every stage.`));
  }
  return {
    'no-restricted-imports': ['error', { ...CODE_LOADING, patterns: rules.map(({ regex, message }) => ({ regex, message })) }],
    'no-restricted-syntax': [
      'error',
      ...rules.map(({ selector, message }) => ({ selector, message })),
      { selector: 'ImportExpression[source.value=/^(node:)?vm$/]', message: CODE_LOADING.paths[0].message },
    ],
  };
}

export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.secretref/'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      sourceType: 'module',
      // no-implied-eval checks calls of these globals only when it knows they are globals.
      globals: { setTimeout: 'readonly', setInterval: 'readonly', globalThis: 'readonly' },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', CODE_LOADING],
      'no-restricted-syntax': ['error', { selector: 'ImportExpression[source.value=/^(node:)?vm$/]', message: CODE_LOADING.paths[0].message }],
    },
  },
  { files: ['src/cli/io.ts'], rules: { 'no-console': 'off' } },
  ...STAGES.flatMap((stage) =>
    Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
      files: [`src/${stage}/${'*/'.repeat(depth)}*.ts`],
      rules: importRules(stage, depth),
    })),
  ),
);

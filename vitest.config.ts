/**
 * Three test tiers (STYLE habit 8), one vitest project each; `npm test` runs all three.
 *
 * - unit: every test file not listed below. No database and no global setup: `pg` and PGlite are
 *   replaced by test/setup/no-database.ts, so a file that opens a store fails loudly there.
 * - integration: the files that need a store (PGlite and the PostgreSQL server started by
 *   test/setup/global-setup.ts, which fails the run when PostgreSQL is missing; never a skip).
 * - e2e: the built CLI as a user runs it (its own embedded store, in child processes).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/** Test files (or folders, as `folder/**`) that open a store. */
const INTEGRATION = [
  'test/integration/**',
  'test/resolve/resolver.test.ts',
  'test/resolve/resolver-outage.test.ts',
  'test/lint/store-rules.test.ts',
  'test/import/julep.test.ts',
  'test/policy/lint-render-agreement.test.ts',
  'test/policy/regression-host-from-author-named-field.test.ts',
  'test/policy/regression-lint-render-tool-owner.test.ts',
  // The in-process CLI against a store (memory:, file: or the server); the CLI tests that fail
  // before any store is opened are unit tests.
  'test/cli/commands.test.ts',
  'test/cli/audit-prune.test.ts',
  'test/cli/json-errors.test.ts',
  'test/cli/project-config.test.ts',
  'test/cli/import-julep.test.ts',
  'test/cli/regression-lint-bad-environment.test.ts',
  'test/cli/regression-environment-silent-fallback.test.ts',
  'test/cli/regression-plan-fails-on-missing.test.ts',
  'test/cli/render-many.test.ts',
  'test/cli/regression-output-file-errors.test.ts',
  'test/cli/regression-redact-yaml-folding.test.ts',
  'test/cli/regression-rekey-key-file-atomic.test.ts',
  'test/cli/regression-reveal-previous-missing.test.ts',
  'test/cli/run-export.test.ts',
  'test/cli/migrate-cli.test.ts',
  'test/cli/regression-secrets-get-no-suggestion.test.ts',
  'test/cli/regression-secrets-list-hides-metadata.test.ts',
  'test/cli/regression-render-error-without-file.test.ts',
  'test/reliability/crash-embedded.test.ts',
  'test/reliability/crash-server.test.ts',
  'test/reliability/load.test.ts',
  'test/reliability/regression-connection-lost-in-transaction.test.ts',
  'test/reliability/store-faults.test.ts',
  'test/security/**',
  'test/serve/service.test.ts',
];

// README's tour and Julep workflow, the Python client of secretref serve and `secretref run` run the built CLI in
// child processes on an embedded store, as a user does.
const E2E = ['test/cli/e2e.test.ts', 'test/cli/agent-e2e.test.ts', 'test/cli/startup-imports.test.ts', 'test/cli/run-e2e.test.ts', 'test/cli/readme-tour.test.ts', 'test/cli/readme-julep.test.ts', 'test/serve/python-client.test.ts', 'test/lsp/lsp.test.ts', 'test/serve/lazy-load.test.ts'];

// A stale entry would silently move nothing: every listed path must exist.
for (const entry of [...INTEGRATION, ...E2E]) {
  const path = entry.replace(/\/\*\*$/, '');
  if (!existsSync(path)) throw new Error(`vitest.config.ts lists ${entry}, which does not exist`);
}

const asGlob = (entry: string): string => (entry.endsWith('/**') ? `${entry}/*.test.ts` : entry);
const NO_DATABASE = fileURLToPath(new URL('./test/setup/no-database.ts', import.meta.url));

export default defineConfig({
  test: {
    // A `file:` store opened by a test is this process's own PGlite (tests inspect it through
    // openedEmbedded); the agent's tests (test/integration/agent-*.test.ts) ask for it explicitly.
    env: { SECRETREF_AGENT: 'never' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        resolve: {
          alias: [
            { find: /^pg$/, replacement: NO_DATABASE },
            { find: /^@electric-sql\/pglite(\/.*)?$/, replacement: NO_DATABASE },
          ],
        },
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...INTEGRATION.map(asGlob), ...E2E],
          setupFiles: ['test/setup/unit.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION.map(asGlob),
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
        },
      },
    ],
  },
});

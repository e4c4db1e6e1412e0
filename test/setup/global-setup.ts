/**
 * Vitest global setup: a PostgreSQL 15 server for the integration suites (a throwaway one unless
 * SECRETREF_TEST_DATABASE_URL names an existing database) and a PGlite template folder. Missing
 * PostgreSQL binaries fail the run with a clear message: the server half of the suite never skips.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPgServer, type PgServer } from './pg-server.js';
import { makePgliteTemplate } from './pglite-template.js';

export interface TestDatabases {
  /** The application's role (non-superuser when this setup started the server). */
  appUrl: string;
  /** A superuser on the same database, when known. */
  adminUrl: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: TestDatabases;
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const external = process.env.SECRETREF_TEST_DATABASE_URL;
  let server: PgServer | undefined;
  const [databases, template] = await Promise.all([
    external
      ? Promise.resolve<TestDatabases>({ appUrl: external, adminUrl: process.env.SECRETREF_TEST_ADMIN_DATABASE_URL ?? null })
      : startPgServer().then((s) => {
          server = s;
          return { appUrl: s.appUrl, adminUrl: s.adminUrl };
        }),
    makePgliteTemplate(),
  ]);
  project.provide('pg', databases);
  project.provide('pgliteTemplate', template);
  return () => {
    server?.stop();
    rmSync(dirname(template), { recursive: true, force: true });
  };
}

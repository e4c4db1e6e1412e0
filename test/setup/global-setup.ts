/**
 * Vitest global setup: a PostgreSQL 15 server for the integration suites (a throwaway one unless
 * SECRETREF_TEST_DATABASE_URL names an existing database), a stock PgBouncer in transaction mode
 * in front of it, and a PGlite template folder. Missing PostgreSQL or PgBouncer binaries fail the
 * run with a clear message: the server half of the suite never skips.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPgServer, type PgServer } from './pg-server.js';
import { startPgBouncer, type PgBouncer } from './pgbouncer.js';
import { makePgliteTemplate } from './pglite-template.js';

export interface TestDatabases {
  /** The application's role (non-superuser when this setup started the server). */
  appUrl: string;
  /** A superuser on the same database, when known. */
  adminUrl: string | null;
  /**
   * The app role through a stock PgBouncer in transaction mode (test/setup/pgbouncer.ts), or
   * SECRETREF_TEST_POOLED_DATABASE_URL with an external server; null when neither.
   */
  pooledUrl: string | null;
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
  let bouncer: PgBouncer | undefined;
  const [databases, template] = await Promise.all([
    external
      ? Promise.resolve<TestDatabases>({
          appUrl: external,
          adminUrl: process.env.SECRETREF_TEST_ADMIN_DATABASE_URL ?? null,
          pooledUrl: process.env.SECRETREF_TEST_POOLED_DATABASE_URL ?? null,
        })
      : startPgServer().then(async (s) => {
          server = s;
          const app = new URL(s.appUrl);
          bouncer = await startPgBouncer({
            serverPort: s.port,
            database: app.pathname.slice(1),
            user: decodeURIComponent(app.username),
            password: decodeURIComponent(app.password),
          }).catch((e: unknown) => {
            s.stop();
            throw e;
          });
          return { appUrl: s.appUrl, adminUrl: s.adminUrl, pooledUrl: bouncer.appUrl };
        }),
    makePgliteTemplate(),
  ]);
  project.provide('pg', databases);
  project.provide('pgliteTemplate', template);
  return () => {
    bouncer?.stop();
    server?.stop();
    rmSync(dirname(template), { recursive: true, force: true });
  };
}

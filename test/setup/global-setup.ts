/**
 * Vitest global setup: a PostgreSQL 15 server for the integration suites (a throwaway one unless
 * SECRETREF_TEST_DATABASE_URL names an existing database), a stock PgBouncer in transaction mode
 * in front of it, a streaming hot standby of it, and a PGlite template folder. Missing PostgreSQL or PgBouncer binaries, or a standby that does not stream, fail the
 * run with a clear message: the server half of the suite never skips.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPgServer, type PgServer } from './pg-server.js';
import { startPgBouncer, type PgBouncer } from './pgbouncer.js';
import { startPgStandby, type PgStandby } from './pg-standby.js';
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
  /**
   * The app role on a streaming hot standby of the server (test/setup/pg-standby.ts), or
   * SECRETREF_TEST_READ_DATABASE_URL with an external server; null when neither.
   */
  standbyUrl: string | null;
  /** A superuser on that standby (pausing replay), or SECRETREF_TEST_READ_ADMIN_DATABASE_URL. */
  standbyAdminUrl: string | null;
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
  let standby: PgStandby | undefined;
  const [databases, template] = await Promise.all([
    external
      ? Promise.resolve<TestDatabases>({
          appUrl: external,
          adminUrl: process.env.SECRETREF_TEST_ADMIN_DATABASE_URL ?? null,
          pooledUrl: process.env.SECRETREF_TEST_POOLED_DATABASE_URL ?? null,
          standbyUrl: process.env.SECRETREF_TEST_READ_DATABASE_URL ?? null,
          standbyAdminUrl: process.env.SECRETREF_TEST_READ_ADMIN_DATABASE_URL ?? null,
        })
      : startPgServer().then(async (s) => {
          server = s;
          const app = new URL(s.appUrl);
          const [b, r] = await Promise.allSettled([
            startPgBouncer({
              serverPort: s.port,
              database: app.pathname.slice(1),
              user: decodeURIComponent(app.username),
              password: decodeURIComponent(app.password),
            }),
            startPgStandby(s),
          ]);
          if (b.status === 'fulfilled') bouncer = b.value;
          if (r.status === 'fulfilled') standby = r.value;
          if (!bouncer || !standby) {
            bouncer?.stop();
            standby?.stop();
            s.stop();
            throw b.status === 'rejected' ? b.reason : (r as PromiseRejectedResult).reason;
          }
          return { appUrl: s.appUrl, adminUrl: s.adminUrl, pooledUrl: bouncer.appUrl, standbyUrl: standby.appUrl, standbyAdminUrl: standby.adminUrl };
        }),
    makePgliteTemplate(),
  ]);
  project.provide('pg', databases);
  project.provide('pgliteTemplate', template);
  return () => {
    bouncer?.stop();
    standby?.stop();
    server?.stop();
    rmSync(dirname(template), { recursive: true, force: true });
  };
}

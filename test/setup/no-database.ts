/**
 * The unit tier has no database. vitest.config.ts aliases `pg` and `@electric-sql/pglite` (and its
 * contrib modules) to this module in the unit project: importing it is harmless (the library loads
 * its drivers lazily, and a test may import the store's types), but opening a connection or an
 * embedded database throws, and is recorded so that test/setup/unit.ts fails the test even when
 * the store wraps or swallows the error. A unit test file that needs a store thus fails loudly,
 * never skips: list it in INTEGRATION in vitest.config.ts.
 */

const USES = Symbol.for('secretref.test.unitDatabaseUse');

/** What tried to use a database during the current test. */
export function databaseUses(): string[] {
  const g = globalThis as { [USES]?: string[] };
  return (g[USES] ??= []);
}

function refuse(what: string): never {
  const message =
    `${what}: the unit tier has no database (vitest.config.ts, project "unit"). ` +
    `A test file that opens a store belongs in INTEGRATION in vitest.config.ts.`;
  databaseUses().push(`${message}\n${new Error().stack?.split('\n').slice(2, 8).join('\n') ?? ''}`);
  throw new Error(message);
}

/** Stands for the `pg` module: any property (Client, Pool, types, …) refuses. */
const pg: object = new Proxy(
  {},
  {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      return refuse(`pg.${key}`);
    },
  },
);
export default pg;

/** Stands for `@electric-sql/pglite`'s PGlite. */
export class PGlite {
  constructor() {
    refuse('new PGlite()');
  }
  static create(): never {
    return refuse('PGlite.create()');
  }
}

/** Stands for `@electric-sql/pglite/contrib/pgcrypto`. */
export const pgcrypto = {};

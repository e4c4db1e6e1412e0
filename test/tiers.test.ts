/**
 * The unit tier really has no database (vitest.config.ts, test/setup/no-database.ts): were the
 * stand-ins for the drivers ever dropped, a unit test that needs a store would pass on a machine
 * with PostgreSQL and fail on one without, instead of failing everywhere.
 */
import { describe, expect, inject, it } from 'vitest';
import { keygen, openStore } from '../src/index.js';
import { databaseUses } from './setup/no-database.js';

/** Takes the recorded uses, so that test/setup/unit.ts does not fail this test for them. */
const taken = (): string => databaseUses().splice(0).join('\n');

describe('the unit tier', () => {
  it('cannot open an embedded store, and the attempt is recorded even though the store wraps the error', async () => {
    await expect(openStore({ url: 'memory:', masterKey: keygen() })).rejects.toThrow();
    expect(taken()).toContain('PGlite.create(): the unit tier has no database');
  });

  it('cannot reach a PostgreSQL server', async () => {
    await expect(openStore({ url: 'postgres://nobody@127.0.0.1:1/none', masterKey: keygen() })).rejects.toThrow();
    expect(taken()).toMatch(/pg\.\w+: the unit tier has no database/);
  });

  it('runs without the global setup: no server and no PGlite template are provided', () => {
    expect(inject('pg')).toBeUndefined();
    expect(inject('pgliteTemplate')).toBeUndefined();
  });
});

/**
 * Setup file of the unit project: a test that tried to open a database fails, whatever the code
 * under test did with the error (see test/setup/no-database.ts).
 */
import { afterAll, afterEach } from 'vitest';
import { databaseUses } from './no-database.js';

function check(): void {
  const uses = databaseUses().splice(0);
  if (uses.length > 0) throw new Error(`This test used a database, which the unit tier does not have:\n${uses.join('\n\n')}`);
}

afterEach(check);
afterAll(check);

/**
 * `secretref audit prune`: deletes the audit records older than the retention, every developer's,
 * as the owner of the tables (the test server's app role owns its schema), and keeps the younger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper, serverCalls } from '../helpers/cli.js';

const as = serverCalls(keygen());
const cwd = mkdtempSync(join(tmpdir(), 'secretref-prune-'));
let admin: pg.Client | undefined;
afterAll(async () => {
  await admin?.end();
});

/** `count` records of `developer`, `days` old, written as the superuser (the app cannot backdate past the trigger's day). */
async function oldRecords(developer: string, days: number, count: number): Promise<void> {
  const url = inject('pg').adminUrl;
  if (url === null) throw new Error('this test needs SECRETREF_TEST_ADMIN_DATABASE_URL (a superuser)');
  if (!admin) {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  }
  await admin.query(
    `insert into secretref.audit (developer_id, name, action, at)
     select $1::uuid, 'old_' || g, 'resolve', now() - make_interval(days => $2::integer) from generate_series(1, $3::integer) g`,
    [developer, days, count],
  );
}

it('deletes what is older than --older-than, keeps the rest, and says how many', async () => {
  const dev = newDeveloper();
  expect((await cli(['secrets', 'create', 'api_key'], as(dev, cwd, 'v'))).code).toBe(0);
  await oldRecords(dev, 40, 5);
  await oldRecords(dev, 10, 2);
  const entries = async (): Promise<string[]> => JSON.parse((await cli(['audit', '--json', '--limit', '1000'], as(dev, cwd))).stdout).entries.map((e: { name: string }) => e.name);
  expect(await entries()).toHaveLength(8);

  const r = await cli(['audit', 'prune', '--older-than', '30', '--json'], as(dev, cwd));
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { version: number; deleted: number; before: string };
  expect(out.version).toBe(1);
  expect(out.deleted).toBeGreaterThanOrEqual(5);
  expect(Math.abs(Date.parse(out.before) - (Date.now() - 30 * 86_400_000))).toBeLessThan(60_000);
  expect((await entries()).sort()).toEqual(['api_key', 'old_1', 'old_2']);

  const text = await cli(['audit', 'prune', '--older-than', '5', '--batch-size', '1'], as(dev, cwd));
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/^Deleted \d+ audit record\(s\) older than \d{4}-\d\d-\d\dT/);
  expect(await entries()).toEqual(['api_key']);
});

it('refuses a retention that is not a positive whole number, as a usage error', async () => {
  for (const bad of ['0', '-3', 'soon', '1.5']) {
    const r = await cli(['audit', 'prune', '--older-than', bad], as(newDeveloper(), cwd));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--older-than');
  }
});

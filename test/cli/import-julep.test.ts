/**
 * `secretref import --from-julep`: a table with Julep's own layout (memory-store migration 000040)
 * written through Julep's own queries under a 32-character key (test/helpers/julep.ts), imported
 * for the same developer ids into the store on both backends. The command's report (text and
 * --json), its exit codes, and that no value or key ever reaches its output.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTERNAL_LIMITS } from '../../src/limits.js';
import { keygen } from '../../src/store/crypto-key.js';
import { describeBackends } from '../helpers/backends.js';
import { JULEP_KEY, julepDb, type JulepDb } from '../helpers/julep.js';
import { cli } from '../helpers/cli.js';

const key = keygen();
const values: Record<string, string> = { OPENAI_API_KEY: 'sk-julep-openai', stripe_key: "it's $tricky {{ x }}\nline 2", db_password: 'p@ss:/#' };

describeBackends('import --from-julep', (backend) => {
  let julep: JulepDb;
  const devA = randomUUID();
  const devB = randomUUID();

  beforeAll(async () => {
    julep = await julepDb();
    for (const [name, value] of Object.entries(values)) {
      await julep.create({ developerId: devA, name, value, description: `julep ${name}`, metadata: { env: 'prod' } });
    }
    await julep.create({ developerId: devB, name: 'OPENAI_API_KEY', value: 'sk-julep-b', metadata: null });
  });
  afterAll(async () => {
    await julep.close();
  });

  const env = (developer: string, extra: Record<string, string> = {}) => ({
    SECRETS_MASTER_KEY: key,
    SECRETREF_DATABASE_URL: backend.url,
    SECRETREF_DEVELOPER_ID: developer,
    JULEP_SECRETS_MASTER_KEY: JULEP_KEY,
    ...extra,
  });
  const args = (...more: string[]) => ['import', '--from-julep', julep.url, '--table', julep.table, ...more];

  it('copies every developer under its own id, byte-exact, metadata untouched, then reports everything unchanged', async () => {
    const first = await cli(args('--json'), { env: env(devA) });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ version: 1, ok: true, read: 4, created: 4, unchanged: 0, conflicts: 0, skipped: 0, developers: 2, skippedRows: [], conflictRows: [] });
    expect(first.stdout + first.stderr).not.toContain(JULEP_KEY);

    for (const [name, value] of Object.entries(values)) {
      const r = await cli(['secrets', 'get', name, '--reveal'], { env: env(devA) });
      expect(r.stdout).toBe(value);
    }
    expect((await cli(['secrets', 'get', 'OPENAI_API_KEY', '--reveal'], { env: env(devB) })).stdout).toBe('sk-julep-b');
    const listed = JSON.parse((await cli(['secrets', 'list', '--json'], { env: env(devA) })).stdout);
    // Provenance is in the audit log, not in the user's metadata.
    expect(listed.secrets.find((s: { name: string }) => s.name === 'stripe_key').metadata).toEqual({ env: 'prod' });

    const again = await cli(args('--json'), { env: env(devA) });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ read: 4, created: 0, unchanged: 4, conflicts: 0, skipped: 0 });
    const text = await cli(args(), { env: env(devA) });
    expect(text.stderr).toContain('Read 4 secret(s) of 2 developer(s): 0 created, 0 updated, 4 unchanged, 0 conflict(s), 0 skipped.');
  });

  it('reports a changed value as a conflict, replaces it only with --overwrite', async () => {
    const dev = randomUUID();
    await julep.create({ developerId: dev, name: 'token', value: 'from-julep' });
    await cli(['secrets', 'create', 'token'], { env: env(dev), stdin: 'local' });
    const only = args('--only-this-developer');
    const conflict = await cli(only, { env: env(dev) });
    expect(conflict.code).toBe(0);
    expect(conflict.stderr).toContain(`developer ${dev}, token: value`);
    expect(conflict.stderr).toContain('--overwrite');
    expect(JSON.parse((await cli([...only, '--json'], { env: env(dev) })).stdout)).toMatchObject({ read: 1, conflicts: 1, created: 0, conflictRows: [{ developerId: dev, name: 'token', fields: ['value'] }] });
    expect((await cli(['secrets', 'get', 'token', '--reveal'], { env: env(dev) })).stdout).toBe('local');
    expect(JSON.parse((await cli([...only, '--overwrite', '--json'], { env: env(dev) })).stdout)).toMatchObject({ read: 1, updated: 1 });
    expect((await cli(['secrets', 'get', 'token', '--reveal'], { env: env(dev) })).stdout).toBe('from-julep');
  });

  it('regression: skips rows it cannot hold, names them on stderr and in --json, exits 1 after importing the rest', async () => {
    const dev = randomUUID();
    const canary = `canary-${randomUUID()}`;
    await julep.create({ developerId: dev, name: 'fine', value: 'ok' });
    const empty = await julep.create({ developerId: dev, name: 'empty_one', value: '' });
    await julep.create({ developerId: dev, name: `n${'q'.repeat(199)}`, value: canary });
    const only = args('--only-this-developer');
    const r = await cli(only, { env: env(dev) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 created, 0 updated, 0 unchanged, 0 conflict(s), 2 skipped.');
    expect(r.stderr).toContain(`developer ${dev}, empty_one (secret_id ${empty}): INVALID_INPUT /value:`);
    expect(r.stderr).toContain(`developer ${dev}, n${'q'.repeat(INTERNAL_LIMITS.quotedChars - 1)}… (secret_id `);
    expect(r.stderr).toContain('INVALID_NAME /name:');
    const json = await cli([...only, '--json'], { env: env(dev) });
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ ok: false, read: 3, unchanged: 1, skipped: 2 });
    expect(out.skippedRows.map((s: { problems: { code: string }[] }) => s.problems[0]?.code).sort()).toEqual(['INVALID_INPUT', 'INVALID_NAME']);
    expect((await cli(['secrets', 'get', 'fine', '--reveal'], { env: env(dev) })).stdout).toBe('ok');
    for (const o of [r, json]) expect(o.stdout + o.stderr).not.toContain(canary);
  });

  it('fails with ENCRYPTION_ERROR for a wrong Julep key and exit 2 without one', async () => {
    const wrong = await cli(args('--only-this-developer'), { env: env(devA, { JULEP_SECRETS_MASTER_KEY: 'not-the-julep-key-but-long-enough-xx' }) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('ENCRYPTION_ERROR');
    expect(wrong.stderr).not.toContain('not-the-julep-key');
    const { JULEP_SECRETS_MASTER_KEY: _, ...noKey } = env(randomUUID());
    expect((await cli(args(), { env: noKey })).code).toBe(2);
  });
});

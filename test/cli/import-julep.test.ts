/**
 * `secretref import --from-julep`: a table with Julep's own column layout (memory-store
 * migration 000040), values encrypted the way Julep does (`pgp_sym_encrypt(value, key,
 * 'cipher-algo=aes256')`), copied for the same developer ids; idempotent.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli } from './fake-io.js';

let client: pg.Client;
let url: string;
const schema = `julep_${randomUUID().slice(0, 8)}`;
const julepKey = 'julep-master-key-0123456789abcdef-XYZ';
const devA = randomUUID();
const devB = randomUUID();
const key = keygen();
const values: Record<string, string> = { OPENAI_API_KEY: 'sk-julep-openai', stripe_key: "it's $tricky {{ x }}\nline 2", db_password: 'p@ss:/#' };

beforeAll(async () => {
  url = inject('pg').appUrl;
  client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.query(`
    CREATE TABLE ${schema}.secrets (
      secret_id UUID NOT NULL,
      developer_id UUID NOT NULL,
      name TEXT NOT NULL,
      description TEXT,
      value_encrypted BYTEA NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
      metadata JSONB DEFAULT '{}'::jsonb,
      CONSTRAINT pk_secrets PRIMARY KEY (developer_id, secret_id),
      CONSTRAINT uq_secrets_unique UNIQUE(developer_id, name),
      CONSTRAINT ct_secrets_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
      CONSTRAINT ct_secrets_canonical_name_valid_identifier CHECK (name ~ '^[a-zA-Z][a-zA-Z0-9_]*$')
    )`);
  const insert = `insert into ${schema}.secrets (secret_id, developer_id, name, description, value_encrypted, metadata)
                  values ($1, $2, $3, $4, pgp_sym_encrypt($5, $6, 'cipher-algo=aes256'), $7)`;
  for (const [name, value] of Object.entries(values)) {
    await client.query(insert, [randomUUID(), devA, name, `julep ${name}`, value, julepKey, { env: 'prod' }]);
  }
  await client.query(insert, [randomUUID(), devB, 'OPENAI_API_KEY', null, 'sk-julep-b', julepKey, {}]);
});

afterAll(async () => {
  await client.query(`drop schema ${schema} cascade`);
  await client.end();
});

const env = (developer: string, extra: Record<string, string> = {}) => ({
  SECRETS_MASTER_KEY: key,
  SECRETREF_DATABASE_URL: url,
  SECRETREF_DEVELOPER_ID: developer,
  JULEP_SECRETS_MASTER_KEY: julepKey,
  ...extra,
});

describe('import --from-julep', () => {
  it('copies every developer under its own id, byte-exact, then reports everything unchanged', async () => {
    const args = ['import', '--from-julep', url, '--table', `${schema}.secrets`, '--json'];
    const first = await cli(args, { env: env(devA) });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ version: 1, read: 4, created: 4, unchanged: 0, conflicts: 0, developers: 2 });
    expect(first.stdout + first.stderr).not.toContain(julepKey);

    for (const [name, value] of Object.entries(values)) {
      const r = await cli(['secrets', 'get', name, '--reveal'], { env: env(devA) });
      expect(r.stdout).toBe(value);
    }
    const b = await cli(['secrets', 'get', 'OPENAI_API_KEY', '--reveal'], { env: env(devB) });
    expect(b.stdout).toBe('sk-julep-b');
    const listed = JSON.parse((await cli(['secrets', 'list', '--json'], { env: env(devA) })).stdout);
    expect(listed.secrets.find((s: { name: string }) => s.name === 'stripe_key').metadata).toMatchObject({ env: 'prod', imported_from: 'julep' });

    const again = await cli(args, { env: env(devA) });
    expect(JSON.parse(again.stdout)).toMatchObject({ read: 4, created: 0, unchanged: 4, conflicts: 0 });
  });

  it('reports a changed value as a conflict, replaces it only with --overwrite', async () => {
    const dev = randomUUID();
    await client.query(`insert into ${schema}.secrets (secret_id, developer_id, name, value_encrypted) values ($1, $2, 'token', pgp_sym_encrypt('from-julep', $3, 'cipher-algo=aes256'))`, [randomUUID(), dev, julepKey]);
    await cli(['secrets', 'create', 'token'], { env: env(dev), stdin: 'local' });
    const args = ['import', '--from-julep', url, '--table', `${schema}.secrets`, '--only-this-developer', '--json'];
    expect(JSON.parse((await cli(args, { env: env(dev) })).stdout)).toMatchObject({ read: 1, conflicts: 1, created: 0 });
    expect((await cli(['secrets', 'get', 'token', '--reveal'], { env: env(dev) })).stdout).toBe('local');
    expect(JSON.parse((await cli([...args, '--overwrite'], { env: env(dev) })).stdout)).toMatchObject({ read: 1, updated: 1 });
    expect((await cli(['secrets', 'get', 'token', '--reveal'], { env: env(dev) })).stdout).toBe('from-julep');
  });

  it('fails with ENCRYPTION_ERROR for a wrong Julep key and exit 2 without one', async () => {
    const args = ['import', '--from-julep', url, '--table', `${schema}.secrets`];
    const wrong = await cli(args, { env: env(randomUUID(), { JULEP_SECRETS_MASTER_KEY: 'not-the-julep-key-but-long-enough-xx' }) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('ENCRYPTION_ERROR');
    expect(wrong.stderr).not.toContain('not-the-julep-key');
    const { JULEP_SECRETS_MASTER_KEY: _, ...noKey } = env(randomUUID());
    expect((await cli(args, { env: noKey })).code).toBe(2);
  });
});

/**
 * A Julep secrets table built the way Julep builds it, on the test PostgreSQL server: memory-store
 * migration 000040 (table, updated_at trigger, encrypt_secret/decrypt_secret over pgcrypto with
 * 'cipher-algo=aes256'), in a schema of its own, written through Julep's own create and update
 * queries (agents_api/queries/secrets/create.py, update.py) under a 32-character master key.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Julep's SECRETS_MASTER_KEY for these tests: 32 characters, as Julep's deployments use. */
export const JULEP_KEY = 'Jx9kQ2mV7pL4sT8wZ1nB5cR3yH6dF0gA';

/** Migration 000040_add_secrets.up.sql (without its BEGIN/COMMIT), run with the schema first on the search path. */
const MIGRATION_000040 = `
CREATE TABLE IF NOT EXISTS secrets (
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
);

CREATE OR REPLACE FUNCTION update_secrets_timestamp()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER update_secrets_timestamp_trigger
BEFORE UPDATE ON secrets
FOR EACH ROW
EXECUTE FUNCTION update_secrets_timestamp();

CREATE INDEX IF NOT EXISTS idx_secrets_developer_id ON secrets(developer_id);
CREATE INDEX IF NOT EXISTS idx_secrets_name ON secrets(name);
CREATE INDEX IF NOT EXISTS idx_secrets_metadata ON secrets USING gin(metadata);

CREATE OR REPLACE FUNCTION encrypt_secret(p_value TEXT, p_key TEXT) RETURNS BYTEA AS $$
BEGIN
    RETURN pgp_sym_encrypt(p_value, p_key, 'cipher-algo=aes256');
END;
$$ LANGUAGE plpgsql SECURITY DEFINER;

CREATE OR REPLACE FUNCTION decrypt_secret(p_encrypted_value BYTEA, p_key TEXT) RETURNS TEXT AS $$
BEGIN
    RETURN pgp_sym_decrypt(p_encrypted_value, p_key);
END;
$$ LANGUAGE plpgsql SECURITY DEFINER;
`;

export interface JulepSecret {
  developerId: string;
  name: string;
  value: string;
  description?: string | null;
  /** Julep's create passes its `metadata: dict | None` through: `null` is stored as NULL. */
  metadata?: Record<string, unknown> | null;
  /** An older row: its timestamps (Julep's create leaves them to the column defaults). */
  createdAt?: Date;
  updatedAt?: Date;
}

export interface JulepDb {
  /** postgres:// URL of the database holding the table. */
  readonly url: string;
  /** `--table` value: the schema-qualified table. */
  readonly table: string;
  /** Julep's create query; returns the secret_id. */
  create(s: JulepSecret, key?: string): Promise<string>;
  /** Julep's update query (COALESCE of each field; the trigger sets updated_at). */
  update(developerId: string, name: string, change: { value?: string; description?: string; metadata?: Record<string, unknown> }): Promise<void>;
  /** Raw SQL on the Julep database, the table's schema first on the search path. */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** A fresh Julep table in its own schema of the test server's database. */
export async function julepDb(): Promise<JulepDb> {
  const url = inject('pg').appUrl;
  const schema = `julep_${randomUUID().slice(0, 8)}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.query(`set search_path to ${schema}, public`);
  await client.query(MIGRATION_000040);
  return {
    url,
    table: `${schema}.secrets`,
    async create(s, key = JULEP_KEY) {
      const id = randomUUID();
      // create.py, plus the timestamps of an older row when given.
      await client.query(
        `INSERT INTO secrets (secret_id, developer_id, name, description, value_encrypted, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, encrypt_secret($5::text, $6::text), $7, coalesce($8, CURRENT_TIMESTAMP), coalesce($9, CURRENT_TIMESTAMP))`,
        [id, s.developerId, s.name, s.description ?? null, s.value, key, s.metadata === undefined ? {} : s.metadata, s.createdAt ?? null, s.updatedAt ?? null],
      );
      return id;
    },
    async update(developerId, name, change) {
      await client.query(
        `UPDATE secrets
            SET updated_at = NOW(),
                description = COALESCE($3, description),
                metadata = COALESCE($4, metadata),
                value_encrypted = CASE WHEN $5::text IS NOT NULL THEN encrypt_secret($5::text, $6::text) ELSE value_encrypted END
          WHERE developer_id = $1 AND name = $2`,
        [developerId, name, change.description ?? null, change.metadata ?? null, change.value ?? null, JULEP_KEY],
      );
    },
    async sql<R>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as R[];
    },
    async close() {
      await client.query(`drop schema ${schema} cascade`).catch(() => undefined);
      await client.end();
    },
  };
}

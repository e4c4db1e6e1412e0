/**
 * The environment variables secretref reads, named once. The CLI passes its own environment
 * (tests run it in-process with a fake one), so the reads take the environment as an argument.
 */

/** Names of the environment variables secretref reads (SPEC §6). */
export const ENV = {
  /** The master key (never on argv, never in the database). */
  masterKey: 'SECRETS_MASTER_KEY',
  /** The store URL; default `file:.secretref/db`. */
  databaseUrl: 'SECRETREF_DATABASE_URL',
  /** The developer every operation is confined to; default the all-zero UUID. */
  developerId: 'SECRETREF_DEVELOPER_ID',
} as const;

/** The master key set in `env` (`SECRETS_MASTER_KEY`), or undefined when it is unset or empty. */
export function masterKeyFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const key = env[ENV.masterKey];
  return key === undefined || key === '' ? undefined : key;
}

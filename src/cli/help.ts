/**
 * What `--help` teaches beyond the flags: the environment variables a command reads, named
 * once here, and its examples (each command's spec carries its own). The global options are
 * shown by commander itself (`showGlobalOptions`).
 */
import { ENV } from '../core.js';

/** Every environment variable the CLI reads, with what it is for. */
export const ENV_HELP = {
  [ENV.masterKey]: 'the master key that encrypts the store (create one with `secretref keygen`)',
  [ENV.databaseUrl]: 'store location, as --database-url (default file:.secretref/db)',
  [ENV.developerId]: 'developer id every operation is confined to, as --developer',
  XDG_CONFIG_HOME: 'where the embedded store keeps its key file (default ~/.config)',
  SECRETREF_AGENT: 'auto (default): an embedded file: store is shared through its store agent; never: opened in this process only',
  NO_COLOR: 'set (to anything) to print no colour on a terminal',
  JULEP_SECRETS_MASTER_KEY: "Julep's master key, for import (another name with --julep-key-env)",
} as const;

export type EnvName = keyof typeof ENV_HELP;

/** What a command that opens the store reads. */
export const STORE_ENV: readonly EnvName[] = [ENV.masterKey, ENV.databaseUrl, ENV.developerId, 'XDG_CONFIG_HOME'];

/** The text `--help` prints after the options: environment, then examples. */
export function helpAfter(env: readonly EnvName[], examples: readonly string[]): string {
  const width = Math.max(0, ...env.map((e) => e.length)) + 2;
  const lines: string[] = [];
  if (env.length > 0) {
    lines.push('', 'Environment:');
    for (const e of env) lines.push(`  ${e.padEnd(width)}${ENV_HELP[e]}`);
  }
  lines.push('', 'Examples:');
  for (const x of examples) lines.push(`  $ ${x}`);
  return `${lines.join('\n')}\n`;
}

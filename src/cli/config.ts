/**
 * Where the store is and which key opens it: flags, then environment, then defaults. For the
 * embedded default only, a missing key may be created in a key file outside the data folder —
 * after asking on a terminal or with --create-key, never silently.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SecretrefError } from '../errors.js';
import { keygen } from '../store/crypto-key.js';
import type { Io } from './io.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_DATABASE_URL = 'file:.secretref/db';
export const DEFAULT_DEVELOPER_ID = '00000000-0000-0000-0000-000000000000';

export interface GlobalOptions {
  databaseUrl?: string;
  developer?: string;
  createKey?: boolean;
}

export interface Config {
  url: string;
  /** True when the store is the embedded default (the only case a key file is offered for). */
  embeddedDefault: boolean;
  developerId: string;
}

export function resolveConfig(opts: GlobalOptions, io: Io): Config {
  const raw = opts.databaseUrl ?? io.env.SECRETREF_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const url = raw.startsWith('file:') ? `file:${resolve(io.cwd, raw.slice(5))}` : raw;
  return {
    url,
    embeddedDefault: raw === DEFAULT_DATABASE_URL && !opts.databaseUrl && !io.env.SECRETREF_DATABASE_URL,
    developerId: developerId(opts.developer ?? io.env.SECRETREF_DEVELOPER_ID ?? DEFAULT_DEVELOPER_ID),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A developer id on the command line or in the environment must be a UUID: a usage error. */
function developerId(id: string): string {
  if (!UUID.test(id)) throw new UsageError('--developer / SECRETREF_DEVELOPER_ID takes a UUID (e.g. 00000000-0000-0000-0000-000000000000).');
  return id;
}

/** Key file for an embedded data folder: outside it and outside the project, one per folder. */
export function keyFilePath(config: Config, io: Io): string {
  const base = io.env.XDG_CONFIG_HOME ?? join(io.env.HOME ?? homedir(), '.config');
  const id = createHash('sha256').update(config.url).digest('hex').slice(0, 16);
  return join(base, 'secretref', 'keys', `${id}.key`);
}

/** The master key: SECRETS_MASTER_KEY, else (embedded default) the key file, else an offer to create one. */
export async function masterKeyFor(config: Config, opts: GlobalOptions, io: Io): Promise<string> {
  const fromEnv = io.env.SECRETS_MASTER_KEY;
  if (fromEnv) return fromEnv;
  const missing = 'Set SECRETS_MASTER_KEY to your master key (create one with `secretref keygen`).';
  if (!config.embeddedDefault) throw new SecretrefError('MASTER_KEY_MISSING', missing);
  const file = keyFilePath(config, io);
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key) return key;
  } catch {
    // no key file yet
  }
  let create = opts.createKey === true;
  if (!create && io.stdinIsTTY) {
    create = await io.confirm(`No SECRETS_MASTER_KEY is set. Create a new master key in ${file}?`);
  }
  if (!create) {
    throw new SecretrefError('MASTER_KEY_MISSING', `${missing} For the embedded store you can also pass --create-key to keep a new key in ${file}.`);
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const key = keygen();
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  io.stderr.write(`Created a new master key in ${file} (mode 0600). Back it up: without it the secrets cannot be decrypted.\n`);
  return key;
}

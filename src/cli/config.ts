/**
 * Where the store is and which key opens it. Precedence: flags, then the environment, then the
 * project config file, then the library's defaults. For the embedded default only, a missing key
 * may be created in a key file outside the data folder — after asking on a terminal or with
 * --create-key, never silently.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DEVELOPER_ID, DEFAULT_STORE_URL, ENV, SecretrefError, checkDeveloperId, keygen, masterKeyFromEnv } from '../core.js';
import type { Io } from './io.js';
import type { ProjectConfig } from './project-config.js';
import { UsageError } from './usage-error.js';

/** The program-wide flags. `config` is a path (`--config FILE`) or false (`--no-config`). */
export interface GlobalOptions {
  databaseUrl?: string;
  developer?: string;
  createKey?: boolean;
  config?: string | boolean;
}

export interface Config {
  url: string;
  /** True when the store is the embedded default (the only case a key file is offered for). */
  embeddedDefault: boolean;
  developerId: string;
}

export function resolveConfig(opts: GlobalOptions, io: Io, project: ProjectConfig | undefined): Config {
  const given = opts.databaseUrl ?? io.env[ENV.databaseUrl];
  // A `file:` path is relative to the folder of whoever named it: the working folder, or the config file's.
  const [raw, base] = given !== undefined ? [given, io.cwd] : project?.databaseUrl !== undefined ? [project.databaseUrl, project.dir] : [DEFAULT_STORE_URL, io.cwd];
  const url = raw.startsWith('file:') ? `file:${resolve(base, raw.slice(5))}` : raw;
  return {
    url,
    embeddedDefault: given === undefined && project?.databaseUrl === undefined,
    developerId: developerId(opts.developer ?? io.env[ENV.developerId] ?? DEFAULT_DEVELOPER_ID),
  };
}

/** A developer id on the command line or in the environment must be a UUID: a usage error. */
function developerId(id: string): string {
  try {
    return checkDeveloperId(id);
  } catch {
    throw new UsageError(`--developer / ${ENV.developerId} takes a UUID (e.g. ${DEFAULT_DEVELOPER_ID}).`);
  }
}

/** Key file for an embedded data folder: outside it and outside the project, one per folder. */
export function keyFilePath(config: Config, io: Io): string {
  const base = io.env.XDG_CONFIG_HOME ?? join(io.env.HOME ?? homedir(), '.config');
  const id = createHash('sha256').update(config.url).digest('hex').slice(0, 16);
  return join(base, 'secretref', 'keys', `${id}.key`);
}

/** A master key and where it came from, as an error names it. */
export interface MasterKey {
  key: string;
  source: string;
}

/** The master key from the environment, or the embedded default's key file when one exists; never asks. */
export async function existingMasterKey(config: Config, io: Io): Promise<MasterKey | undefined> {
  const fromEnv = masterKeyFromEnv(io.env);
  if (fromEnv !== undefined) return { key: fromEnv, source: ENV.masterKey };
  if (!config.embeddedDefault) return undefined;
  const file = keyFilePath(config, io);
  try {
    const key = (await readFile(file, 'utf8')).trim();
    return key ? { key, source: `the key file ${file}` } : undefined;
  } catch {
    return undefined; // no key file yet
  }
}

/** The master key: SECRETS_MASTER_KEY, else (embedded default) the key file, else an offer to create one. */
export async function masterKeyFor(config: Config, opts: GlobalOptions, io: Io): Promise<MasterKey> {
  const existing = await existingMasterKey(config, io);
  if (existing !== undefined) return existing;
  const missing = `Set ${ENV.masterKey} to your master key (create one with \`secretref keygen\`).`;
  if (!config.embeddedDefault) throw new SecretrefError('MASTER_KEY_MISSING', missing);
  const file = keyFilePath(config, io);
  let create = opts.createKey === true;
  if (!create && io.stdinIsTTY) {
    create = await io.confirm(`No ${ENV.masterKey} is set. Create a new master key in ${file}?`);
  }
  if (!create) {
    throw new SecretrefError('MASTER_KEY_MISSING', `${missing} For the embedded store you can also pass --create-key to keep a new key in ${file}.`);
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const key = keygen();
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  io.stderr.write(`Created a new master key in ${file} (mode 0600). Back it up: without it the secrets cannot be decrypted.\n`);
  return { key, source: `the key file ${file}` };
}

/**
 * What every command gets: the io, the configuration (flags, environment, project config file,
 * defaults), a lazily opened store, and the dialect of each input file.
 */
import { openStore, type Store } from '../index.js';
import { resolveConfig, masterKeyFor, type Config, type GlobalOptions, type MasterKey } from './config.js';
import type { Dialect } from './dialect.js';
import type { Io } from './io.js';
import { stringify } from './json.js';
import { dialectFor, loadProjectConfig, type ConfigChoice, type ProjectConfig } from './project-config.js';

export class CliContext {
  private store: Store | undefined;
  private project: ProjectConfig | undefined;
  private prepared = false;
  constructor(
    readonly io: Io,
    private readonly globals: () => GlobalOptions,
  ) {}

  /** Finds and validates the project config file; the argv layer calls it before a command runs. */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    this.project = await loadProjectConfig(this.io.cwd, configChoice(this.globals().config));
    this.prepared = true;
  }

  /** The project config file, or undefined when there is none (or the command reads none). */
  projectConfig(): ProjectConfig | undefined {
    return this.project;
  }

  config(): Config {
    return resolveConfig(this.globals(), this.io, this.project);
  }

  async masterKey(): Promise<string> {
    return (await this.masterKeyWithSource()).key;
  }

  /** The master key and where it came from (SECRETS_MASTER_KEY or the key file), for errors that name it. */
  async masterKeyWithSource(): Promise<MasterKey> {
    return masterKeyFor(this.config(), this.globals(), this.io);
  }

  /** The developer every store operation is confined to. */
  developerId(): string {
    return this.config().developerId;
  }

  /** `--dialect` when given, else what the project config says for this file, else the default. */
  dialectFor(path: string, flag: Dialect | undefined): Dialect {
    return flag ?? dialectFor(this.project, path);
  }

  /** `--environment` when given, else the project config's `environment`. */
  environment(flag: string | undefined): string | undefined {
    return flag ?? this.project?.environment;
  }

  /** Opens the configured store once per run; closed by `close()`. */
  async openStore(masterKey?: string): Promise<Store> {
    if (this.store) return this.store;
    const key = masterKey !== undefined ? { key: masterKey, source: 'the given master key' } : await this.masterKeyWithSource();
    this.store = await openStore({ url: this.config().url, masterKey: key.key, masterKeySource: key.source });
    return this.store;
  }

  async close(): Promise<void> {
    const s = this.store;
    this.store = undefined;
    await s?.close();
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Whether `stream` is a terminal (a person reads it). */
  terminal(stream: 'stdout' | 'stderr'): boolean {
    return Boolean(this.io[stream].isTTY);
  }

  /** Colour only on a terminal and never with NO_COLOR (which changes nothing else). */
  color(stream: 'stdout' | 'stderr'): boolean {
    return this.terminal(stream) && !('NO_COLOR' in this.io.env && this.io.env.NO_COLOR !== undefined);
  }

  /** Prints one JSON document (shaped by json.ts) on stdout. */
  json(doc: unknown): void {
    this.io.stdout.write(stringify(doc));
  }
}

function configChoice(flag: string | boolean | undefined): ConfigChoice {
  if (flag === false) return { kind: 'none' };
  if (typeof flag === 'string') return { kind: 'file', path: flag };
  return { kind: 'search' };
}

/**
 * What every command gets: the io, the configuration (flags, environment, project config file,
 * defaults), a lazily opened store, and the dialect of each input file.
 */
import type { Store } from '../index.js';
import { existingMasterKey, resolveConfig, masterKeyFor, type Config, type GlobalOptions, type MasterKey } from './config.js';
import type { Dialect } from './dialect.js';
import type { Io } from './io.js';
import { stringify } from './json.js';
import { dialectFor, loadProjectConfig, type ConfigChoice, type ProjectConfig } from './project-config.js';

export class CliContext {
  private store: Store | undefined;
  private storeWithoutKey = false;
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

  /** `--strict-environment` when given, else the project config's `strictEnvironment`. */
  strictEnvironment(flag: boolean): boolean {
    return flag || this.project?.strictEnvironment === true;
  }

  /** `--environment` when given, else the project config's `environment`. */
  environment(flag: string | undefined): string | undefined {
    return flag ?? this.project?.environment;
  }

  /**
   * Opens the configured store once per run; closed by `close()`. With `withoutKey`, no master key
   * is read (openStore's withoutKey: descriptions only).
   */
  async openStore(options: { masterKey?: string; masterKeySource?: string; withoutKey?: boolean; decrypts?: false } = {}): Promise<Store> {
    if (this.store) return this.store;
    const withoutKey = options.withoutKey === true;
    const key = withoutKey ? undefined : options.masterKey !== undefined ? { key: options.masterKey, source: options.masterKeySource ?? 'the given master key' } : await this.masterKeyWithSource();
    const url = this.config().url;
    const embedded = !/^postgres(ql)?:\/\//i.test(url);
    if (embedded) await baselineWasmOnly();
    nodeNavigator();
    // The store stage's entry, not src/index.ts: the bundled CLI would load every stage with it.
    const { openStore } = await import('../store/index.js');
    // The server topology's URLs, from this run's environment (openStore would read the process's).
    const env = this.io.env;
    const topology = embedded
      ? {}
      : {
          ...(env.SECRETREF_NOTIFY_URL ? { notifyUrl: env.SECRETREF_NOTIFY_URL } : {}),
          ...(env.SECRETREF_READ_URL ? { readUrl: env.SECRETREF_READ_URL } : {}),
        };
    this.store = await openStore({
      url,
      ...topology,
      ...(key === undefined ? { withoutKey: true } : { masterKey: key.key, masterKeySource: key.source }),
      // A command that decrypts nothing boots an embedded store without pgcrypto (types.ts).
      ...(embedded ? { embedded: { settings: CLI_EMBEDDED_SETTINGS, ...(options.decrypts === false ? { pgcrypto: false } : {}) } } : {}),
      ...(embedded && this.io.env.SECRETREF_AGENT !== undefined ? { agent: this.io.env.SECRETREF_AGENT as 'auto' | 'never' } : {}),
    });
    this.storeWithoutKey = withoutKey;
    return this.store;
  }

  /**
   * Opens the configured store for reading descriptions (lint): with the master key when one is
   * configured, so rows are authenticated; else without it, never asking for one. Nothing is
   * decrypted, so an embedded store boots without pgcrypto.
   */
  async openStoreForReading(): Promise<{ store: Store; withoutKey: boolean }> {
    if (!this.store) {
      const key = await existingMasterKey(this.config(), this.io);
      await this.openStore({ ...(key !== undefined ? { masterKey: key.key, masterKeySource: key.source } : { withoutKey: true }), decrypts: false });
    }
    return { store: this.store as Store, withoutKey: this.storeWithoutKey };
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

/**
 * The CLI process only, before it first loads PGlite: WebAssembly compiled by V8's baseline
 * compiler only. A command runs a few queries; the optimising tier would cost CPU and memory, pay
 * back only after warm-up and keep the process alive at exit while it compiles in the background
 * (issue 17: −25% wall, −40% CPU, −80 MiB for an embedded render). Not at start-up: node:v8 costs
 * a command that never opens an embedded store (lint, refs) over a millisecond to load.
 */
export async function baselineWasmOnly(): Promise<void> {
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
  flagsChanged = true;
}

let flagsChanged = false;

/** Whether this process changed V8's flags: a code cache made after that would not fit a fresh process (launch.ts). */
export function v8FlagsChanged(): boolean {
  return flagsChanged;
}

/**
 * PostgreSQL settings for an embedded store the command line boots: one short-lived process with
 * one connection needs neither PostgreSQL's default 128 MB of shared buffers (zeroed at start)
 * nor its 100 connection slots (issue 17: −115 MiB).
 */
export const CLI_EMBEDDED_SETTINGS = { shared_buffers: '16MB', max_connections: '5' } as const;

/**
 * The CLI process only: Node.js 21+'s global `navigator` on Node.js 20. pg, at import, tells a
 * Cloudflare Worker by `navigator.userAgent`, and where there is no `navigator` by constructing
 * a `Response`, which loads Node's fetch implementation (undici): ~40 ms of every command that
 * connects with pg (a server store, or the store agent).
 */
function nodeNavigator(): void {
  if ('navigator' in globalThis) return;
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0] ?? ''}` }, configurable: true, writable: true });
}

function configChoice(flag: string | boolean | undefined): ConfigChoice {
  if (flag === false) return { kind: 'none' };
  if (typeof flag === 'string') return { kind: 'file', path: flag };
  return { kind: 'search' };
}

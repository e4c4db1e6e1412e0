/** What every command gets: the io, resolved configuration, and a lazily opened store. */
import type { Store } from '../store/types.js';
import { resolveConfig, masterKeyFor, type Config, type GlobalOptions } from './config.js';
import type { Io } from './io.js';

export class CliContext {
  private store: Store | undefined;
  constructor(
    readonly io: Io,
    private readonly globals: () => GlobalOptions,
  ) {}

  config(): Config {
    return resolveConfig(this.globals(), this.io);
  }

  masterKey(): Promise<string> {
    return masterKeyFor(this.config(), this.globals(), this.io);
  }

  /** Opens the configured store once per run; closed by `close()`. */
  async openStore(masterKey?: string): Promise<Store> {
    if (this.store) return this.store;
    const { openStore } = await import('../store/index.js');
    const key = masterKey ?? (await this.masterKey());
    this.store = await openStore({ url: this.config().url, masterKey: key });
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

  /** Colour only on a terminal and never with NO_COLOR. */
  color(stream: 'stdout' | 'stderr'): boolean {
    return Boolean(this.io[stream].isTTY) && !('NO_COLOR' in this.io.env && this.io.env.NO_COLOR !== undefined);
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }
}

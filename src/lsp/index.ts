/**
 * `secretref lsp`: the language server over stdio (server.ts, docs/lsp.md). The CLI loads this
 * module with import() only when the command runs. The store is used when one is configured
 * (a database URL from the flag, the environment or the project config file, or an existing
 * embedded default folder) and its master key is at hand without a prompt; otherwise the
 * server runs the offline rules and says why once.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSecretrefError, type ScopedStore } from '../index.js';
import type { CliContext } from '../cli/context.js';
import { startLanguageServer } from './server.js';

export { startLanguageServer, LSP_LIMITS, STORE_CREDENTIAL_COMMAND, type LspOptions } from './server.js';

export interface LspCommandOptions {
  /** Offline rules only, even when a store is configured. */
  offline: boolean;
}

export async function lsp(options: LspCommandOptions, ctx: CliContext, streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } = { input: process.stdin, output: process.stdout }): Promise<void> {
  let store: ScopedStore | undefined;
  let offlineReason: string | undefined;
  const config = ctx.config();
  if (options.offline) offlineReason = '--offline';
  else if (config.embeddedDefault && !existsSync(config.url.slice('file:'.length))) offlineReason = 'no store configured';
  else {
    try {
      store = (await ctx.openStore()).scope(ctx.developerId());
    } catch (e) {
      offlineReason = `the store cannot be opened: ${isSecretrefError(e) ? e.code : 'internal error'}`;
    }
  }
  const environment = ctx.environment(undefined);
  await startLanguageServer({
    ...streams,
    ...(store ? { store } : {}),
    ...(offlineReason !== undefined ? { offlineReason } : {}),
    dialectFor: (path) => ctx.dialectFor(resolve(ctx.io.cwd, path), undefined),
    ...(environment !== undefined ? { environment } : {}),
  });
}

/**
 * `secretref lsp`: the language server for editors over stdio (src/lsp, docs/lsp.md). Only the
 * argv mapping lives here; the server and vscode-languageserver are imported when it runs.
 */
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import type { LspCommandOptions } from '../../lsp/index.js';

export async function lspRun(options: LspCommandOptions, ctx: CliContext): Promise<void> {
  const { lsp } = await import('../../lsp/index.js');
  await lsp(options, ctx);
}

export const lspCommand = implementCommand({
  toOptions: (_args, flags: { offline?: boolean; stdio?: boolean }): LspCommandOptions => ({ offline: flags.offline === true }),
  run: lspRun,
  report: () => 0,
});

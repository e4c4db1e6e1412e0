/**
 * `secretref lsp`: the language server for editors over stdio (src/lsp, docs/lsp.md). Only the
 * argv mapping lives here; the server and vscode-languageserver are imported when it runs.
 */
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import type { LspCommandOptions } from '../../lsp/index.js';

export async function lspRun(options: LspCommandOptions, ctx: CliContext): Promise<void> {
  const { lsp } = await import('../../lsp/index.js');
  await lsp(options, ctx);
}

export const lspCommand = defineCommand({
  name: 'lsp',
  description: 'run the language server for editors over stdio (diagnostics, completion, hover, code actions)',
  options: [
    { flags: '--offline', description: 'offline rules only, even when a store is configured' },
    { flags: '--stdio', description: 'talk over stdin/stdout: the only transport, accepted because editors pass it' },
  ],
  // stdout is the protocol's channel: an error goes to stderr as text, never as JSON on stdout.
  wantsJson: () => false,
  toOptions: (_args, flags: { offline?: boolean; stdio?: boolean }): LspCommandOptions => ({ offline: flags.offline === true }),
  run: lspRun,
  report: () => 0,
});

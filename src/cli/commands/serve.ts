/**
 * `secretref serve [--socket PATH | --port N]`: the local HTTP service (src/serve, docs/serve.md).
 * Only the argv mapping lives here; the service and fastify are imported when the command runs.
 */
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../usage-error.js';
import type { ServeOptions } from '../../serve/index.js';

type ServeFlags = { socket?: string; port?: string; host?: string; tokenFile?: string; allowNonLoopback?: boolean; openapi?: boolean };

export async function serveRun(options: ServeOptions, ctx: CliContext): Promise<void> {
  const { serve } = await import('../../serve/index.js');
  await serve(options, ctx);
}

export const serveCommand = implementCommand({
  toOptions(_args, flags: ServeFlags): ServeOptions {
    if (flags.socket !== undefined && (flags.port !== undefined || flags.host !== undefined)) throw new UsageError('--socket and --port/--host exclude each other.');
    if (flags.host !== undefined && flags.port === undefined) throw new UsageError('--host needs --port.');
    let port: number | undefined;
    if (flags.port !== undefined) {
      port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) throw new UsageError(`--port takes a number from 0 to 65535; got "${flags.port}".`);
    }
    return {
      allowNonLoopback: flags.allowNonLoopback === true,
      openapi: flags.openapi === true,
      ...(flags.socket !== undefined ? { socket: flags.socket } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(flags.host !== undefined ? { host: flags.host } : {}),
      ...(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : {}),
    };
  },
  run: serveRun,
  report: () => 0,
});

/**
 * `secretref serve`: the local HTTP service for runtimes that are not Node (docs/serve.md). The
 * CLI loads this module with import() only when the command runs, so fastify costs the other
 * commands nothing.
 */
import { resolve } from 'node:path';
import type { CliContext } from '../cli/context.js';
import { checkEndpoint, defaultSocketPath, listen, readToken, type Endpoint } from './listen.js';
import { openApiDocument } from './openapi.js';
import { createService } from './service.js';

export { createService, SERVE_LIMITS, type ServiceOptions } from './service.js';
export { openApiDocument } from './openapi.js';
export { TOKEN_ENV, MIN_TOKEN_CHARS, isLoopback, defaultSocketPath, readToken, socketFolderState } from './listen.js';

export interface ServeOptions {
  /** Unix socket path (the default transport; default: defaultSocketPath()). */
  socket?: string;
  /** TCP port instead of a socket (0: any free port). */
  port?: number;
  /** TCP interface. Default 127.0.0.1. */
  host?: string;
  /** The bearer token's file (else SECRETREF_SERVE_TOKEN). Required on TCP, optional on a socket. */
  tokenFile?: string;
  /** Listen on an interface that is not loopback (still with the token). */
  allowNonLoopback: boolean;
  /** Print the OpenAPI document and exit instead of serving. */
  openapi: boolean;
}

/** Serves until SIGINT or SIGTERM (or `stop` resolves); resolves once the service is closed. */
export async function serve(options: ServeOptions, ctx: CliContext, stop?: Promise<unknown>): Promise<void> {
  if (options.openapi) {
    ctx.json(openApiDocument());
    return;
  }
  const endpoint: Endpoint =
    options.port !== undefined ? { kind: 'tcp', host: options.host ?? '127.0.0.1', port: options.port } : { kind: 'socket', path: resolve(ctx.io.cwd, options.socket ?? defaultSocketPath(ctx.io.env)) };
  const token = await readToken(options.tokenFile !== undefined ? resolve(ctx.io.cwd, options.tokenFile) : undefined, ctx.io.env);
  checkEndpoint(endpoint, token, options.allowNonLoopback);
  const store = await ctx.openStore();
  const developerId = ctx.developerId();
  const environment = ctx.environment(undefined);
  const app = createService({
    store,
    developerId,
    dialectFor: (filename) => ctx.dialectFor(resolve(ctx.io.cwd, filename ?? 'request.yaml'), undefined),
    ...(environment !== undefined ? { environment } : {}),
    log: ctx.io.stderr,
    ...(token !== undefined ? { token } : {}),
  });
  try {
    const bound = await listen(app, endpoint);
    const where = bound.kind === 'socket' ? `unix:${bound.path}` : `http://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
    ctx.io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'listening', at: where, token: token !== undefined })}\n`);
    await (stop ?? untilSignal());
  } finally {
    await app.close();
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

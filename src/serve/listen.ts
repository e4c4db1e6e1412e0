/**
 * Where the service listens, and who may talk to it. Default: a Unix socket (mode 0600) in a
 * folder only its owner may enter (0700) — the filesystem is the access control. Or TCP on a
 * loopback address with a bearer token (read from a file or an environment variable, never
 * argv); any other interface only with an explicit flag, and still with the token.
 */
import { connect } from 'node:net';
import { chmod, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SecretrefError } from '../index.js';

/** The environment variable a TCP service's bearer token may come from (else `--token-file`). */
export const TOKEN_ENV = 'SECRETREF_SERVE_TOKEN';

/** A token shorter than this is refused: it guards every secret the service can render. */
export const MIN_TOKEN_CHARS = 32;

export type Endpoint = { kind: 'socket'; path: string } | { kind: 'tcp'; host: string; port: number };

/** The default socket: `$XDG_RUNTIME_DIR/secretref/serve.sock`, else a per-user folder in the temp dir. */
export function defaultSocketPath(env: Record<string, string | undefined>): string {
  const runtime = env.XDG_RUNTIME_DIR;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return runtime ? join(runtime, 'secretref', 'serve.sock') : join(tmpdir(), `secretref-${uid}`, 'serve.sock');
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(host);
  return false;
}

/** The bearer token: the file's first line, else the environment variable; refused when short. */
export async function readToken(tokenFile: string | undefined, env: Record<string, string | undefined>): Promise<string | undefined> {
  let token: string | undefined;
  if (tokenFile !== undefined) {
    try {
      token = (await readFile(tokenFile, 'utf8')).split(/\r?\n/)[0]?.trim();
    } catch {
      throw new SecretrefError('INVALID_INPUT', `Cannot read the token file ${tokenFile}.`);
    }
  } else token = env[TOKEN_ENV]?.trim();
  if (token === undefined || token === '') return undefined;
  // The token is never quoted: only its length is said.
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw new SecretrefError('INVALID_INPUT', `The bearer token must be at least ${MIN_TOKEN_CHARS} characters without spaces (e.g. \`secretref keygen\`).`);
  }
  return token;
}

/**
 * Checks an endpoint before binding: TCP on a non-loopback interface needs `allowNonLoopback`,
 * TCP needs a token.
 */
export function checkEndpoint(endpoint: Endpoint, token: string | undefined, allowNonLoopback: boolean): void {
  if (endpoint.kind !== 'tcp') return;
  if (!isLoopback(endpoint.host) && !allowNonLoopback) {
    throw new SecretrefError('INVALID_INPUT', `${endpoint.host} is not a loopback address: the service renders secrets, so it listens on 127.0.0.1 or ::1 unless --allow-non-loopback is given.`);
  }
  if (token === undefined) {
    throw new SecretrefError('INVALID_INPUT', `TCP needs a bearer token: set ${TOKEN_ENV} or pass --token-file FILE (at least ${MIN_TOKEN_CHARS} characters).`);
  }
}

/** Binds the service; returns where it listens (the real port for port 0). */
export async function listen(app: FastifyInstance, endpoint: Endpoint): Promise<Endpoint> {
  if (endpoint.kind === 'tcp') {
    await app.listen({ host: endpoint.host, port: endpoint.port });
    const address = app.server.address();
    return { ...endpoint, port: typeof address === 'object' && address !== null ? address.port : endpoint.port };
  }
  await privateFolder(dirname(endpoint.path));
  await removeStaleSocket(endpoint.path);
  await app.listen({ path: endpoint.path });
  await chmod(endpoint.path, 0o600);
  return endpoint;
}

/** The state of a socket folder: absent, private to this user, or unusable (and why). */
export type SocketFolderState = { state: 'missing' } | { state: 'private' } | { state: 'not-ours' } | { state: 'open'; mode: number };

export async function socketFolderState(dir: string): Promise<SocketFolderState> {
  let info;
  try {
    info = await lstat(dir);
  } catch {
    return { state: 'missing' };
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : info.uid;
  if (!info.isDirectory() || info.uid !== uid) return { state: 'not-ours' };
  if ((info.mode & 0o077) !== 0) return { state: 'open', mode: info.mode & 0o777 };
  return { state: 'private' };
}

/** Creates the socket's folder (0700) or checks that an existing one is ours and closed to others. */
async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const s = await socketFolderState(dir);
  if (s.state === 'not-ours' || s.state === 'missing') {
    throw new SecretrefError('INVALID_INPUT', `The socket folder ${dir} is not a folder owned by this user; choose another with --socket.`);
  }
  if (s.state === 'open') {
    throw new SecretrefError('INVALID_INPUT', `The socket folder ${dir} is open to other users (mode ${s.mode.toString(8)}); run chmod 700 on it or choose another with --socket.`);
  }
}

/** A socket file left by a service that died is removed; one a live service answers on is not. */
async function removeStaleSocket(path: string): Promise<void> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    return;
  }
  if (!info.isSocket()) throw new SecretrefError('INVALID_INPUT', `${path} exists and is not a socket; choose another path with --socket.`);
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new SecretrefError('INVALID_INPUT', `A service already listens on ${path}.`);
  await unlink(path);
}

/**
 * The store agent by store URL, as the library exports it and `secretref agent` uses it: status,
 * start and stop of the agent of an embedded `file:` store (src/store/agent.ts, docs/agent.md).
 */
import { SecretrefError } from '../errors.js';
import { agentStatus as statusOf, startAgent as start, stopAgent as stop, type AgentStatus, type StartOptions } from './agent.js';
import { DEFAULT_STORE_URL } from './defaults.js';
import { parseStoreUrl } from './open.js';

export type { AgentStatus };

/** The data folder of `url` (default SECRETREF_DATABASE_URL, then `file:.secretref/db`); the agent serves `file:` stores only. */
export function agentFolder(url?: string): string {
  const loc = parseStoreUrl(url ?? (process.env.SECRETREF_DATABASE_URL || DEFAULT_STORE_URL));
  if (loc.kind !== 'file') throw new SecretrefError('INVALID_INPUT', 'The store agent serves an embedded store on disk (file:PATH); this store URL is not one.', { path: '/url' });
  return loc.path;
}

/** The running agent of the store at `url`, or null when none runs. */
export async function agentStatus(options: { url?: string } = {}): Promise<AgentStatus | null> {
  return await statusOf(agentFolder(options.url));
}

/**
 * Starts the agent of the store at `url` (detached; it exits after `idleTimeoutMs` without a
 * client, default 60 s) unless one runs; STORE_UNAVAILABLE says why when it cannot.
 */
export async function startAgent(options: { url?: string } & StartOptions = {}): Promise<{ status: AgentStatus; started: boolean }> {
  const folder = agentFolder(options.url);
  const running = await statusOf(folder);
  if (running) return { status: running, started: false };
  const out = await start(folder, options);
  if ('reason' in out) throw new SecretrefError('STORE_UNAVAILABLE', `The store agent for ${folder} could not start: ${out.reason}.`);
  return { status: out, started: true };
}

/** Stops the agent of the store at `url` and waits until it has released the folder; its pid, or null when none ran. */
export async function stopAgent(options: { url?: string } = {}): Promise<number | null> {
  return await stop(agentFolder(options.url));
}

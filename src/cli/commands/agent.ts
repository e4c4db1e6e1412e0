/**
 * `secretref agent start|status|stop`: explicit control of the local store agent of the
 * configured embedded store (docs/agent.md). A command that opens a `file:` store starts the
 * agent by itself; these are for a build that wants it up front, a look, or an early stop.
 */
import type { AgentStatus } from '../../index.js';
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CLI_EMBEDDED_SETTINGS } from '../context.js';
import { agentJson } from '../json.js';
import { parseDuration } from '../parse-args.js';

interface AgentResult {
  folder: string;
  status: AgentStatus | null;
  started?: boolean;
  stopped?: number | null;
}

const library = async () => await import('../../index.js');

function describe(r: AgentResult): string {
  if (!r.status) return `No store agent runs for ${r.folder}.`;
  const s = r.status;
  return `Store agent ${s.pid} serves ${r.folder} on ${s.socket} (mode ${s.socketMode}); ${s.connections} connection(s); exits after ${Math.round(s.idleTimeoutMs / 1000)} s without a client.`;
}

function report(r: AgentResult, options: { json: boolean }, ctx: CliContext): number {
  if (options.json) ctx.json(agentJson(r.folder, r.status, { ...(r.started !== undefined ? { started: r.started } : {}), ...(r.stopped !== undefined ? { stopped: r.stopped } : {}) }));
  else if (r.stopped !== undefined) ctx.err(r.stopped === null ? `No store agent was running for ${r.folder}.` : `Stopped store agent ${r.stopped} (${r.folder}).`);
  else ctx.err(r.started === false ? `Already running. ${describe(r)}` : describe(r));
  return 0;
}

const jsonFlag = (flags: { json?: boolean }): { json: boolean } => ({ json: flags.json === true });

export const agentStartCommand = implementCommand({
  toOptions: (_args, flags: { json?: boolean; idleTimeout?: string }) => ({
    ...jsonFlag(flags),
    ...(flags.idleTimeout !== undefined ? { idleTimeoutMs: parseDuration(flags.idleTimeout, '--idle-timeout') } : {}),
  }),
  async run(options: { json: boolean; idleTimeoutMs?: number }, ctx): Promise<AgentResult> {
    const { agentFolder, startAgent } = await library();
    const url = ctx.config().url;
    const { status, started } = await startAgent({ url, settings: CLI_EMBEDDED_SETTINGS, ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}) });
    return { folder: agentFolder(url), status, started };
  },
  report,
});

export const agentStatusCommand = implementCommand({
  toOptions: (_args, flags: { json?: boolean }) => jsonFlag(flags),
  async run(_options: { json: boolean }, ctx): Promise<AgentResult> {
    const { agentFolder, agentStatus } = await library();
    const url = ctx.config().url;
    return { folder: agentFolder(url), status: await agentStatus({ url }) };
  },
  report,
});

export const agentStopCommand = implementCommand({
  toOptions: (_args, flags: { json?: boolean }) => jsonFlag(flags),
  async run(_options: { json: boolean }, ctx): Promise<AgentResult> {
    const { agentFolder, stopAgent } = await library();
    const url = ctx.config().url;
    return { folder: agentFolder(url), status: null, stopped: await stopAgent({ url }) };
  },
  report,
});

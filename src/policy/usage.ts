/**
 * Whether a secret may be used at its destinations: not expired, allowed for the tool of every
 * reference, allowed for every host its value is sent to. Lint and the resolver both ask this
 * function, so lint reports exactly what a render refuses. Problems name the secret, never its value.
 *
 * Decisions:
 * - Tools compare exactly (case-sensitive): tool names are identifiers the developer chose.
 * - A secret with `allowedTools` used where the tool cannot be told fails closed (PERMISSION_DENIED).
 * - `allowedTools: []` / `allowedHosts: []` allow nothing.
 * - A secret with `allowedHosts` fails closed where its destination host cannot be told (a host
 *   built from a value, a header with no URL to go to).
 */
import type { Problem } from '../errors.js';
import type { Destination } from './destination.js';
import { hostAllowed } from './host-pattern.js';

/** What a usage decision needs to know about a secret (store metadata; never its value). */
export interface UsagePolicy {
  name: string;
  expiresAt: Date | null;
  allowedTools: readonly string[] | null;
  allowedHosts: readonly string[] | null;
}

const NOWHERE: readonly Destination[] = [{}];

/**
 * The first reason `secret` (found for the reference name `requested`) may not be used at
 * `destinations`, or undefined. `nowMs` is wall-clock epoch ms. No destinations given means one
 * destination whose tool and host cannot be told.
 */
export function usageProblem(secret: UsagePolicy, requested: string, nowMs: number, destinations: readonly Destination[] | undefined): Problem | undefined {
  const via = secret.name === requested ? '' : ` (used for "${requested}")`;
  const denied = (message: string): Problem => ({ code: 'PERMISSION_DENIED', name: requested, message });
  if (secret.expiresAt !== null && secret.expiresAt.getTime() <= nowMs) {
    return { code: 'SECRET_EXPIRED', name: requested, message: `The secret "${secret.name}"${via} expired at ${secret.expiresAt.toISOString()}; rotate it or update its expiry.` };
  }
  const at = destinations === undefined || destinations.length === 0 ? NOWHERE : destinations;
  const tools = secret.allowedTools;
  if (tools !== null) {
    if (at.some((d) => d.tool === undefined)) {
      return denied(`The secret "${secret.name}"${via} may only be used by certain tools; pass the tool being rendered (render(…, { tool })) or give the tool definition a "name".`);
    }
    const wrong = [...new Set(at.map((d) => d.tool as string).filter((t) => !tools.includes(t)))];
    if (wrong.length > 0) {
      return denied(`The secret "${secret.name}"${via} is not allowed for the tool ${wrong.map((t) => `"${t}"`).join(', ')}; add the tool to its allowedTools or use another secret.`);
    }
  }
  const hosts = secret.allowedHosts;
  if (hosts !== null) {
    if (at.some((d) => d.host === undefined)) {
      return denied(`The secret "${secret.name}"${via} may only be sent to certain hosts, and where this reference sends it cannot be told; put it in a URL with a fixed host, or beside a url/base_url/endpoint field.`);
    }
    const wrong = [...new Set(at.map((d) => d.host as string).filter((h) => !hostAllowed(hosts, h)))];
    if (wrong.length > 0) {
      return denied(`The secret "${secret.name}"${via} may not be sent to ${wrong.map((h) => `"${h}"`).join(', ')}; add the host to its allowedHosts or use another secret.`);
    }
  }
  return undefined;
}

/**
 * Whether a resolved secret may be used in this render: not expired, allowed for the tool, allowed
 * for every host its value is sent to. Problems name the secret, never its value.
 *
 * Decisions:
 * - Tools compare exactly (case-sensitive): tool names are identifiers the developer chose.
 * - A secret with `allowedTools` used without a tool fails closed (PERMISSION_DENIED): the render
 *   must say which tool it is for (`render(…, { tool })` or the definition's `name`).
 * - `allowedTools: []` / `allowedHosts: []` allow nothing.
 * - Hosts are checked for the hosts the renderer found the value going to. A secret with
 *   `allowedHosts` fails closed (PERMISSION_DENIED) where its destination cannot be told: no
 *   hosts given, or a reference that lands nowhere a fixed host can be read from (UNKNOWN_HOST:
 *   a host built from a value, a header with no url field near it).
 */
import type { Problem } from '../errors.js';
import type { ResolvedSecret } from '../store/types.js';
import { hostAllowed, UNKNOWN_HOST } from './host-match.js';

/** The first reason `secret` may not be used, or undefined. `nowMs` is wall-clock epoch ms. */
export function policyProblem(
  secret: ResolvedSecret,
  requested: string,
  nowMs: number,
  tool: string | undefined,
  hosts: ReadonlySet<string> | undefined,
): Problem | undefined {
  const via = secret.name === requested ? '' : ` (used for "${requested}")`;
  if (secret.expiresAt !== null && secret.expiresAt.getTime() <= nowMs) {
    return {
      code: 'SECRET_EXPIRED',
      name: requested,
      message: `The secret "${secret.name}"${via} expired at ${secret.expiresAt.toISOString()}; rotate it or update its expiry.`,
    };
  }
  if (secret.allowedTools !== null) {
    if (tool === undefined) {
      return {
        code: 'PERMISSION_DENIED',
        name: requested,
        message: `The secret "${secret.name}"${via} may only be used by certain tools; pass the tool being rendered (render(…, { tool })) or give the definition a top-level "name".`,
      };
    }
    if (!secret.allowedTools.includes(tool)) {
      return {
        code: 'PERMISSION_DENIED',
        name: requested,
        message: `The secret "${secret.name}"${via} is not allowed for the tool "${tool}"; add the tool to its allowedTools or use another secret.`,
      };
    }
  }
  if (secret.allowedHosts !== null) {
    if (hosts === undefined || hosts.has(UNKNOWN_HOST)) {
      return {
        code: 'PERMISSION_DENIED',
        name: requested,
        message: `The secret "${secret.name}"${via} may only be sent to certain hosts, and where this reference sends it cannot be told; put it in a URL with a fixed host, or beside a url/base_url/endpoint field.`,
      };
    }
    const patterns = secret.allowedHosts;
    const denied = [...hosts].filter((h) => !hostAllowed(patterns, h));
    if (denied.length > 0) {
      return {
        code: 'PERMISSION_DENIED',
        name: requested,
        message: `The secret "${secret.name}"${via} may not be sent to ${denied.map((h) => `"${h}"`).join(', ')}; add the host to its allowedHosts or use another secret.`,
      };
    }
  }
  return undefined;
}

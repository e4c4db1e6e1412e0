import { expect } from 'vitest';
import { SecretrefError, type ErrorCode } from '../../src/errors.js';
import type { ResolveOutcome, ResolveRequest, ResolvedEntry, SecretSource } from '../../src/resolve/types.js';
import type { Destination } from '../../src/policy/destination.js';
import { suggestNames } from '../../src/resolve/suggest.js';

/** Runs `fn` and returns the SecretrefError it throws (fails the test otherwise). */
export function caught(fn: () => unknown): SecretrefError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretrefError);
    return e as SecretrefError;
  }
  throw new Error('expected a SecretrefError');
}

export { rejected } from '../helpers/expect-error.js';

export function codes(e: SecretrefError): ErrorCode[] {
  return e.problems.map((p) => p.code);
}

/**
 * An in-memory SecretSource: a plain object implementing the contract (not a database mock).
 * Records every request so tests can check batching, tool and hosts.
 */
export class MemorySource implements SecretSource {
  readonly requests: ResolveRequest[] = [];
  readonly suggestCalls: (readonly string[])[] = [];
  constructor(
    private readonly values: Record<string, string>,
    private readonly policy: (name: string, req: ResolveRequest) => 'ok' | 'expired' | 'denied' = () => 'ok',
  ) {}

  async resolve(request: ResolveRequest): Promise<ResolveOutcome> {
    this.requests.push(request);
    const out: ResolveOutcome = { values: new Map(), missing: [], problems: [] };
    for (const name of request.names) {
      if (!Object.prototype.hasOwnProperty.call(this.values, name)) {
        out.missing.push(name);
        continue;
      }
      const verdict = this.policy(name, request);
      if (verdict === 'expired') out.problems.push({ code: 'SECRET_EXPIRED', message: `Secret "${name}" has expired.`, name });
      else if (verdict === 'denied') out.problems.push({ code: 'PERMISSION_DENIED', message: `Secret "${name}" may not be used here.`, name });
      else {
        const entry: ResolvedEntry = {
          requested: name,
          name,
          value: this.values[name] as string,
          version: 3,
          keyId: 'k1',
          updatedAt: new Date('2026-01-02T00:00:00Z'),
          expiresAt: null,
        };
        out.values.set(name, entry);
      }
    }
    return out;
  }

  async suggest(names: readonly string[]): Promise<Map<string, string[]>> {
    this.suggestCalls.push(names);
    return new Map(names.map((n) => [n, suggestNames(n, Object.keys(this.values))]));
  }
}

/** Tools per name in a resolve request (sorted; '?' where the tool cannot be told). */
export function toolsOf(req: ResolveRequest | undefined): Record<string, string[]> {
  return Object.fromEntries([...(req?.destinations ?? new Map())].map(([n, ds]) => [n, [...new Set(ds.map((d: Destination) => d.tool ?? '?'))].sort()]));
}

/** Hosts per name in a resolve request (sorted; '' where the host cannot be told). */
export function hostsOf(req: ResolveRequest | undefined): Record<string, string[]> {
  return Object.fromEntries([...(req?.destinations ?? new Map())].map(([n, ds]) => [n, [...new Set(ds.map((d: Destination) => d.host ?? ''))].sort()]));
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../src/policy/destination.js';
import { usageProblem } from '../../src/policy/usage.js';
import type { ResolvedSecret } from '../../src/store/types.js';

const VALUE = 'hunter2-super-secret-value';
const NOW = Date.parse('2030-01-01T00:00:00Z');

function secret(over: Partial<ResolvedSecret> = {}): ResolvedSecret {
  return {
    name: 'stripe_key',
    value: VALUE,
    version: 1,
    keyId: 'k1',
    updatedAt: new Date(NOW - 1000),
    expiresAt: null,
    allowedTools: null,
    allowedHosts: null,
    ...over,
  };
}

/** The decision for one tool and a set of hosts ('' = a host that cannot be told), as a list of destinations. */
function policyProblem(s: ResolvedSecret, requested: string, now: number, tool: string | undefined, hosts: ReadonlySet<string> | undefined) {
  const t = tool === undefined ? {} : { tool };
  const at: Destination[] = hosts === undefined ? [t] : [...hosts].map((h) => (h === '' ? t : { ...t, host: h }));
  return usageProblem(s, requested, now, at);
}

describe('usageProblem', () => {
  it('no policy, no expiry: allowed', () => {
    expect(policyProblem(secret(), 'stripe_key', NOW, undefined, undefined)).toBeUndefined();
  });

  it('expiresAt <= now is SECRET_EXPIRED; in the future is fine', () => {
    expect(policyProblem(secret({ expiresAt: new Date(NOW) }), 'stripe_key', NOW, undefined, undefined)).toMatchObject({
      code: 'SECRET_EXPIRED',
      name: 'stripe_key',
    });
    expect(policyProblem(secret({ expiresAt: new Date(NOW + 1) }), 'stripe_key', NOW, undefined, undefined)).toBeUndefined();
  });

  it('allowedTools: the tool must be listed; no tool given fails closed', () => {
    const s = secret({ allowedTools: ['charge'] });
    expect(policyProblem(s, 'stripe_key', NOW, 'charge', undefined)).toBeUndefined();
    expect(policyProblem(s, 'stripe_key', NOW, 'Charge', undefined)?.code).toBe('PERMISSION_DENIED');
    expect(policyProblem(s, 'stripe_key', NOW, 'refund', undefined)?.code).toBe('PERMISSION_DENIED');
    expect(policyProblem(s, 'stripe_key', NOW, undefined, undefined)?.code).toBe('PERMISSION_DENIED');
    expect(policyProblem(secret({ allowedTools: [] }), 'stripe_key', NOW, 'charge', undefined)?.code).toBe('PERMISSION_DENIED');
  });

  it('allowedHosts: every host the value goes to must match', () => {
    const s = secret({ allowedHosts: ['api.stripe.com', '*.stripe.net'] });
    expect(policyProblem(s, 'stripe_key', NOW, undefined, new Set(['API.STRIPE.COM']))).toBeUndefined();
    expect(policyProblem(s, 'stripe_key', NOW, undefined, new Set(['files.stripe.net', 'api.stripe.com']))).toBeUndefined();
    expect(policyProblem(s, 'stripe_key', NOW, undefined, new Set(['api.stripe.com', 'evil.example']))).toMatchObject({
      code: 'PERMISSION_DENIED',
      name: 'stripe_key',
    });
    // Where the value goes cannot be told: a host-limited secret fails closed.
    expect(policyProblem(s, 'stripe_key', NOW, undefined, undefined)).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(policyProblem(s, 'stripe_key', NOW, undefined, new Set(['api.stripe.com', '']))).toMatchObject({ code: 'PERMISSION_DENIED' });
    // A secret without allowedHosts goes anywhere, known or not.
    expect(policyProblem(secret({}), 'stripe_key', NOW, undefined, undefined)).toBeUndefined();
  });

  it('expiry is reported before policy; the problem names the requested name', () => {
    const s = secret({ name: 'prod_stripe_key', expiresAt: new Date(NOW - 1), allowedTools: ['x'] });
    expect(policyProblem(s, 'stripe_key', NOW, 'y', undefined)).toMatchObject({ code: 'SECRET_EXPIRED', name: 'stripe_key' });
  });

  it('no problem message contains the value', () => {
    const cases = [
      policyProblem(secret({ expiresAt: new Date(NOW) }), 'stripe_key', NOW, undefined, undefined),
      policyProblem(secret({ allowedTools: ['a'] }), 'stripe_key', NOW, undefined, undefined),
      policyProblem(secret({ allowedTools: ['a'] }), 'stripe_key', NOW, 'b', undefined),
      policyProblem(secret({ allowedHosts: ['a'] }), 'stripe_key', NOW, undefined, new Set(['b'])),
    ];
    for (const p of cases) {
      expect(p).toBeDefined();
      expect(JSON.stringify(p)).not.toContain(VALUE);
    }
  });

  it('property: whatever the value, name, tool or host, no problem carries the value', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 12, unit: 'grapheme' }),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,40}$/),
        fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
        fc.string({ maxLength: 40 }),
        (value, name, tool, host) => {
          const s = secret({ name, value, expiresAt: new Date(NOW - 1), allowedTools: ['x'], allowedHosts: ['h'] });
          for (const variant of [s, { ...s, expiresAt: null }, { ...s, expiresAt: null, allowedTools: null }]) {
            const p = policyProblem(variant, name, NOW, tool, new Set([host]));
            if (p !== undefined && !name.includes(value) && !(tool ?? '').includes(value) && !host.includes(value)) {
              expect(JSON.stringify(p)).not.toContain(JSON.stringify(value).slice(1, -1));
            }
          }
        },
      ),
    );
  });
});

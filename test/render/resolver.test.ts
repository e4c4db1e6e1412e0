import { describe, expect, it } from 'vitest';
import { compile, render } from '../../src/render/index.js';
import { MemorySource, codes, rejected , hostsOf, toolsOf } from './helpers.js';

const tool = {
  name: 'stripe_charges',
  description: 'Create a charge',
  url: 'https://api.stripe.com/v1/charges',
  headers: { Authorization: 'Bearer {{ secrets.stripe_key }}', 'Idempotency-Key': '$secrets.idem' },
  db: 'postgresql://$secrets.db_user:${secrets.db_pass}@db.internal:5432/app',
  nested: { endpoint: 'https://hooks.example.com/in', auth: { token: '$secrets.hook_token' } },
  again: '{{ secrets.stripe_key }}',
  other: { note: '$secrets.loose' },
};
const values = { stripe_key: 'sk_live_abcdef', idem: 'idem-1234', db_user: 'app', db_pass: 'p@ss', hook_token: 'hook-tok-1', loose: 'loose-1' };

describe('render with a SecretSource', () => {
  it('calls resolve once per render with every distinct name, the tool and the hosts', async () => {
    const source = new MemorySource(values);
    const out = await render(tool, { resolver: source });
    expect(source.requests).toHaveLength(1);
    const req = source.requests[0]!;
    expect([...req.names].sort()).toEqual(Object.keys(values).sort());
    expect(new Set(req.names).size).toBe(req.names.length);
    expect(new Set(Object.values(toolsOf(req)).flat())).toEqual(new Set(['stripe_charges']));
    // Everything in a tool with a request URL goes to that URL's host, whatever a field says
    // (a DSN or an `endpoint` inside the request body travels to api.stripe.com).
    expect(hostsOf(req)).toEqual({
      stripe_key: ['api.stripe.com'],
      idem: ['api.stripe.com'],
      db_user: ['api.stripe.com'],
      db_pass: ['api.stripe.com'],
      hook_token: ['api.stripe.com'],
      loose: ['api.stripe.com'],
    });
    expect((out.value as typeof tool).headers.Authorization).toBe('Bearer sk_live_abcdef');
    await render(tool, { resolver: source });
    expect(source.requests).toHaveLength(2);
  });
  it('passes an explicit tool instead of the definition name', async () => {
    const source = new MemorySource(values);
    await render(tool, { resolver: source, tool: 'other_tool' });
    expect(new Set(Object.values(toolsOf(source.requests[0])).flat())).toEqual(new Set(['other_tool']));
  });
  it('does not call the resolver for a definition without references', async () => {
    const source = new MemorySource(values);
    expect((await render({ a: 1 }, { resolver: source })).value).toEqual({ a: 1 });
    expect(source.requests).toHaveLength(0);
  });
  it('reports missing names with suggestions from resolver.suggest, and resolver problems at each reference', async () => {
    const source = new MemorySource({ ...values, stripe_key: 'x' }, (name) => (name === 'stripe_key' ? 'denied' : name === 'idem' ? 'expired' : 'ok'));
    const def = { ...tool, extra: '$secrets.hook_tokn', opt: "$ secrets.nope ?? 'fallback'" };
    const e = await rejected(render(def, { resolver: source }));
    expect(e.problems.map((p) => [p.code, p.path, p.name, p.suggestion])).toEqual([
      ['PERMISSION_DENIED', '/headers/Authorization', 'stripe_key', undefined],
      ['PERMISSION_DENIED', '/again', 'stripe_key', undefined],
      ['SECRET_EXPIRED', '/headers/Idempotency-Key', 'idem', undefined],
      ['SECRET_NOT_FOUND', '/extra', 'hook_tokn', 'hook_token'],
    ]);
    expect(source.suggestCalls).toEqual([['hook_tokn']]);
  });
  it('gives ranges to resolver problems when rendering text', async () => {
    const source = new MemorySource(values, (n) => (n === 'idem' ? 'expired' : 'ok'));
    const e = await rejected(render('name: t\nk: $secrets.idem\n', { resolver: source, filename: 't.yaml' }));
    expect(e.problems).toMatchObject([{ code: 'SECRET_EXPIRED', path: '/k', range: { start: { line: 2, column: 4 } } }]);
  });
  it('adds a plan (names, versions, dates, key ids; never values)', async () => {
    const source = new MemorySource(values);
    const out = await render({ name: 't', a: '$secrets.idem', b: "$ secrets.nope ?? 'x'" }, { resolver: source, plan: true });
    expect(out.plan).toEqual([
      { reference: 'idem', secret: 'idem', path: '/a', version: 3, updatedAt: new Date('2026-01-02T00:00:00Z'), expiresAt: null, keyId: 'k1', status: 'ok', fallback: false },
      { reference: 'nope', secret: null, path: '/b', version: null, updatedAt: null, expiresAt: null, keyId: null, status: 'absent', fallback: false },
    ]);
    expect(JSON.stringify(out.plan)).not.toContain('idem-1234');
    expect((await render({ a: '$secrets.idem' }, { resolver: source })).plan).toBeUndefined();
  });
  it('plans with secrets in hand and an environment overlay', () => {
    const out = compile({ a: '$secrets.k' }).render({ prod_k: 'v' }, { environment: 'prod', plan: true });
    expect(out.plan).toMatchObject([{ reference: 'k', secret: 'prod_k', path: '/a', version: null }]);
  });
  it('refuses an environment on render() when the resolver owns it', async () => {
    expect(codes(await rejected(render(tool, { resolver: new MemorySource(values), environment: 'prod' })))).toEqual(['INVALID_INPUT']);
  });
  it('never renders partially: a rejected resolve rejects the render', async () => {
    const down = { resolve: async () => Promise.reject(new Error('STORE_UNAVAILABLE')), suggest: async () => new Map() };
    await expect(render(tool, { resolver: down })).rejects.toThrow('STORE_UNAVAILABLE');
  });
});

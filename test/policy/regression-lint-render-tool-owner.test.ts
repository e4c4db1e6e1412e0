/**
 * Regression: "which tool owns this value" lived in two places. For a secret limited to
 * `allowedTools: ['weather']`, used inside `{"tools":[{"name":"weather", …}]}`, lint (which took
 * the tool from the item of `tools[]`) reported nothing while render (which read only the
 * top-level `name`) threw PERMISSION_DENIED. Both now ask src/policy/destination.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver, keygen, lint, openStore, render, type Store } from '../../src/index.js';

const DEV = '11111111-2222-3333-4444-555555555555';
let store: Store;

beforeAll(async () => {
  store = await openStore({ url: 'memory:', masterKey: keygen() });
  await store.scope(DEV).create({ name: 'k', value: 'weather-key-value', allowedTools: ['weather'] });
}, 120_000);
afterAll(async () => store?.close());

describe('the tool of a value in a tools[] item', () => {
  const ok = JSON.stringify({ tools: [{ name: 'weather', url: 'https://api.example.com', headers: { Authorization: 'Bearer $secrets.k' } }] });
  const denied = JSON.stringify({ tools: [{ name: 'weather', url: 'https://api.example.com' }, { name: 'crm', headers: { Authorization: 'Bearer $secrets.k' } }] });

  it('is the item: render allows it and lint agrees', async () => {
    const resolver = createResolver(store, { developerId: DEV });
    const out = await render(ok, { resolver });
    expect((out.value as { tools: { headers: { Authorization: string } }[] }).tools[0]?.headers.Authorization).toBe('Bearer weather-key-value');
    expect((await lint(ok, { store, developerId: DEV })).filter((d) => d.severity === 'error')).toEqual([]);
    resolver.close();
  });

  it('another item is another tool: render refuses it and lint reports it at the same pointer', async () => {
    const resolver = createResolver(store, { developerId: DEV });
    const e = await render(denied, { resolver }).catch((x: unknown) => x as { code: string; problems: { code: string; path?: string }[] });
    expect(e).toMatchObject({ code: 'PERMISSION_DENIED' });
    const ds = (await lint(denied, { store, developerId: DEV })).filter((d) => d.severity === 'error');
    expect(ds.map((d) => [d.code, d.path])).toEqual((e as { problems: { code: string; path?: string }[] }).problems.map((p) => [p.code, p.path]));
    expect(ds.map((d) => d.path)).toEqual(['/tools/1/headers/Authorization']);
    resolver.close();
  });
});

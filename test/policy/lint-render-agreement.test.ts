/**
 * Property: lint with a store reports an error-level store finding at a JSON pointer exactly
 * where render (through a resolver over the same real store) refuses, with the same code — for
 * generated single- and multi-tool definitions over a store of secrets with every kind of policy.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver, keygen, lint, openStore, render, type Resolver, type Store } from '../../src/index.js';
import { scale } from '../helpers/stress.js';

const DEV = '11111111-2222-3333-4444-555555555555';
const DAY = 86_400_000;
const TOOLS = ['alpha', 'beta', 'gamma'] as const;
const HOSTS = ['api.alpha.com', 'api.beta.com'] as const;
const STORE_CODES = new Set(['SECRET_NOT_FOUND', 'SECRET_EXPIRED', 'PERMISSION_DENIED']);

interface Spec {
  name: string;
  tools: readonly string[] | null;
  hosts: readonly string[] | null;
  expired: boolean;
}

// Every combination of tool policy, host policy and expiry, once.
const SPECS: Spec[] = [];
for (const tools of [null, [], ['alpha'], ['alpha', 'beta']] as const) {
  for (const hosts of [null, ['api.alpha.com'], ['*.beta.com']] as const) {
    for (const expired of [false, true]) {
      SPECS.push({ name: `s${SPECS.length}`, tools, hosts, expired });
    }
  }
}
const NAMES = [...SPECS.map((s) => s.name), 'absent_one'];

let store: Store;
let resolver: Resolver;

beforeAll(async () => {
  store = await openStore({ url: 'memory:', masterKey: keygen() });
  const scoped = store.scope(DEV);
  for (const s of SPECS) {
    await scoped.create({
      name: s.name,
      value: `value-of-${s.name}`,
      ...(s.tools ? { allowedTools: [...s.tools] } : {}),
      ...(s.hosts ? { allowedHosts: [...s.hosts] } : {}),
      ...(s.expired ? { expiresAt: new Date(Date.now() + 2 * DAY) } : {}),
    });
  }
  // Expired secrets: created with a future expiry, then moved into the past.
  for (const s of SPECS.filter((x) => x.expired)) await scoped.update(s.name, { expiresAt: new Date(Date.now() - DAY) });
  resolver = createResolver(store, { developerId: DEV });
}, 120_000);

afterAll(async () => {
  resolver?.close();
  await store?.close();
});

const use = fc.record({
  name: fc.constantFrom(...NAMES),
  where: fc.constantFrom('header', 'url-query', 'body'),
});
const toolDef = fc.record({
  name: fc.option(fc.constantFrom(...TOOLS), { nil: undefined }),
  host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
  uses: fc.array(use, { minLength: 1, maxLength: 3 }),
});

function toolObject(t: { name: string | undefined; host: string | undefined; uses: { name: string; where: string }[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t.name) out.name = t.name;
  const headers: Record<string, string> = {};
  const body: Record<string, string> = {};
  let query = '';
  t.uses.forEach((u, i) => {
    if (u.where === 'header') headers[`X-Key-${i}`] = `Bearer $secrets.${u.name}`;
    else if (u.where === 'body') body[`field${i}`] = `\${secrets.${u.name}}`;
    else query += `${query ? '&' : '?'}k${i}={{ secrets.${u.name} }}`;
  });
  if (t.host) out.url = `https://${t.host}/v1${query}`;
  else if (query) out.target = `https://{{ secrets.${t.uses[0]?.name ?? 's0'} }}/v1${query}`;
  if (Object.keys(headers).length) out.headers = headers;
  if (Object.keys(body).length) out.body = body;
  return out;
}

const definition = fc.oneof(
  toolDef.map((t) => toolObject(t)),
  fc.array(toolDef, { minLength: 1, maxLength: 3 }).map((ts) => ({ tools: ts.map(toolObject) })),
);

describe('lint and render agree on store problems', () => {
  it('an error-level store finding at a pointer iff render refuses there, with the same code', async () => {
    await fc.assert(
      fc.asyncProperty(definition, async (def) => {
        const source = JSON.stringify(def, null, 2);
        const linted = (await lint(source, { store, developerId: DEV }))
          .filter((d) => d.severity === 'error' && STORE_CODES.has(d.code))
          .map((d) => `${d.path} ${d.code}`);
        let refused: string[] = [];
        try {
          await render(source, { resolver });
        } catch (e) {
          refused = ((e as { problems?: { code: string; path?: string }[] }).problems ?? []).filter((p) => STORE_CODES.has(p.code)).map((p) => `${p.path ?? ''} ${p.code}`);
        }
        expect([...new Set(linted)].sort()).toEqual([...new Set(refused)].sort());
      }),
      { numRuns: scale(60, 600) },
    );
  });
});

/**
 * `secretref serve`'s routes in-process (fastify's inject, the real store on both backends):
 * what each returns, one resolver cache across requests, schema validation and limits, the
 * bearer token, errors as the CLI's JSON error document, the OpenAPI document written from the
 * same schemas, and no secret value in any log line or response except /render's output.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keygen, openStore, type Store } from '../../src/index.js';
import { createService, openApiDocument, SERVE_LIMITS } from '../../src/serve/index.js';
import { ROUTES } from '../../src/serve/schemas.js';
import { describeBackends, type Backend } from '../helpers/backends.js';
import { startTcpProxy } from '../resolve/tcp-proxy.js';
import { until } from '../helpers/wait.js';

const DEV = '11111111-2222-3333-4444-555555555555';
/** Values no response but /render's may hold, in any form. */
const CANARY = { api_key: 'canary-API-9f3kQ"x\\y{{ secrets.z }}', db_password: 'canary-DB p@ss:w/rd#1', billing_only: 'canary-BILLING-77' };
const TOKEN = 'tok-0123456789abcdefghijklmnopqrstuvwxyz';

const DEFINITION = `name: charge
api_call:
  url: https://api.example.com/v1
  headers:
    Authorization: Bearer {{ secrets.api_key }}
  dsn: postgresql://app:\${secrets.db_password}@db:5432/app
  note: costs $5, and $$secrets.x stays literal
`;

/** 1-based column of `text` in line `line` of DEFINITION. */
function column(line: number, text: string): number {
  return (DEFINITION.split('\n')[line - 1] as string).indexOf(text) + 1;
}

function leaks(text: string): string[] {
  return Object.values(CANARY).filter((v) => text.includes(v) || text.includes(encodeURIComponent(v)) || text.includes(JSON.stringify(v).slice(1, -1)));
}

describeBackends('secretref serve routes', (backend: Backend) => {
  let store: Store;
  let app: FastifyInstance;
  let authed: FastifyInstance;
  let log = '';
  const responses: string[] = [];

  beforeAll(async () => {
    store = await backend.open();
    const scoped = store.scope(DEV);
    await scoped.create({ name: 'api_key', value: CANARY.api_key, description: 'API key' });
    await scoped.create({ name: 'db_password', value: CANARY.db_password });
    await scoped.create({ name: 'billing_only', value: CANARY.billing_only, allowedTools: ['billing'] });
    const common = { store, developerId: DEV, dialectFor: () => 'secretref' as const, log: { write: (s: string) => (log += s) } };
    app = createService(common);
    authed = createService({ ...common, token: TOKEN });
  });

  afterAll(async () => {
    await app?.close();
    await authed?.close();
  });

  async function post(url: string, body: unknown, target = app, headers: Record<string, string> = {}) {
    const res = await target.inject({ method: 'POST', url, payload: body as object, headers });
    if (url !== '/render') responses.push(res.body);
    return { status: res.statusCode, json: res.json() as Record<string, unknown>, body: res.body };
  }

  it('/render returns the rendered definition and its references; the store is asked once for two renders', async () => {
    const queries = async (): Promise<number> => ((await app.inject({ method: 'GET', url: '/healthz' })).json() as { resolver: { storeQueries: number } }).resolver.storeQueries;
    const before = await queries();
    const a = await post('/render', { definition: DEFINITION });
    const b = await post('/render', { definition: DEFINITION });
    expect(a.status).toBe(200);
    const value = a.json.value as { api_call: { headers: { Authorization: string }; dsn: string; note: string } };
    expect(value.api_call.headers.Authorization).toBe(`Bearer ${CANARY.api_key}`);
    expect(value.api_call.dsn).toBe(`postgresql://app:${encodeURIComponent(CANARY.db_password)}@db:5432/app`);
    expect(value.api_call.note).toBe('costs $5, and $secrets.x stays literal');
    expect((a.json.references as { name: string }[]).map((r) => r.name)).toEqual(['api_key', 'db_password']);
    expect(b.json.value).toEqual(a.json.value);
    expect((await queries()) - before).toBe(1);
  });

  it('/refs, /plan and /lint answer what the library does, without values', async () => {
    const refs = await post('/refs', { definition: DEFINITION, filename: 'tools/charge.yaml' });
    expect(refs.status).toBe(200);
    expect(refs.json).toMatchObject({ version: 1, file: 'tools/charge.yaml', dialect: 'secretref', problems: [] });
    expect((refs.json.references as { name: string; line: number; column: number }[]).map((r) => [r.name, r.line, r.column])).toEqual([
      ['api_key', 5, column(5, 'secrets.api_key')],
      ['db_password', 6, column(6, '${secrets.db_password}')],
    ]);

    const plan = await post('/plan', { definition: DEFINITION, environment: 'prod' });
    expect(plan.status).toBe(200);
    expect((plan.json.plan as { reference: string; secret: string; version: number }[]).map((p) => [p.reference, p.secret, p.version])).toEqual([
      ['api_key', 'api_key', 1],
      ['db_password', 'db_password', 1],
    ]);

    const lint = await post('/lint', { definition: 'a: $secrets.API_KEY\nb: $secrets.nope\n' });
    expect(lint.status).toBe(200);
    const diags = lint.json.diagnostics as { code: string; line: number; column: number; suggestion?: string }[];
    expect(diags.map((d) => [d.code, d.line, d.column, d.suggestion])).toEqual([
      ['SECRET_NOT_FOUND', 1, 4, 'api_key'],
      ['SECRET_NOT_FOUND', 2, 4, undefined],
    ]);
    const offline = await post('/lint', { definition: 'a: $secrets.API_KEY\n', offline: true });
    expect((offline.json.diagnostics as { code: string }[]).map((d) => d.code)).not.toContain('SECRET_NOT_FOUND');
  });

  it('/redact masks every value the render uses, in its encodings', async () => {
    const text = `upstream said: token ${CANARY.api_key} for postgresql://app:${encodeURIComponent(CANARY.db_password)}@db and ${JSON.stringify(CANARY.api_key)}`;
    const r = await post('/redact', { definition: DEFINITION, text });
    expect(r.status).toBe(200);
    expect(r.json.text).toContain('[REDACTED:api_key]');
    expect(r.json.text).toContain('[REDACTED:db_password]');
    expect(leaks(r.json.text as string)).toEqual([]);
  });

  it('errors are the CLI JSON error document with a status by code: 422 problems, 403 policy', async () => {
    const missing = await post('/render', { definition: 'a: $secrets.API_KEY\nb: $secrets.nope\n' });
    expect(missing.status).toBe(422);
    const error = missing.json.error as { code: string; problems: { code: string; line: number; suggestion?: string }[] };
    expect(error.problems.map((p) => [p.code, p.line])).toEqual([
      ['SECRET_NOT_FOUND', 1],
      ['SECRET_NOT_FOUND', 2],
    ]);
    expect(error.problems[0]?.suggestion).toBe('api_key');
    const denied = await post('/render', { definition: 'name: other\nkey: $secrets.billing_only\n' });
    expect(denied.status).toBe(403);
    expect((denied.json.error as { code: string }).code).toBe('PERMISSION_DENIED');
    responses.push(missing.body, denied.body);
  });

  it('refuses what the schema does not allow, by rule and never by echoing the value', async () => {
    const extra = await post('/render', { definition: 'a: 1', [CANARY.api_key]: 1 });
    expect(extra.status).toBe(400);
    const badVar = await post('/render', { definition: 'a: 1', vars: { x: { nested: CANARY.api_key } } });
    expect(badVar.status).toBe(400);
    const badDialect = await post('/render', { definition: 'a: 1', dialect: CANARY.api_key });
    expect(badDialect.status).toBe(400);
    const notJson = await app.inject({ method: 'POST', url: '/render', payload: `{"definition": "${CANARY.api_key}`, headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    responses.push(notJson.body);
    const huge = await app.inject({ method: 'POST', url: '/render', payload: { definition: 'x'.repeat(SERVE_LIMITS.bodyBytes + 1) } });
    expect(huge.statusCode).toBe(413);
    expect((huge.json() as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    const nowhere = await app.inject({ method: 'GET', url: `/secrets/${encodeURIComponent(CANARY.api_key)}` });
    expect(nowhere.statusCode).toBe(404);
    responses.push(nowhere.body);
  });

  it('with a token, a request without it or with another is refused (401); with it, served', async () => {
    const none = await post('/render', { definition: DEFINITION }, authed);
    expect(none.status).toBe(401);
    const wrong = await post('/render', { definition: DEFINITION }, authed, { authorization: `Bearer ${TOKEN.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    const health = await authed.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(401);
    const ok = await authed.inject({ method: 'POST', url: '/render', payload: { definition: DEFINITION }, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(log).not.toContain(TOKEN);
  });

  it('/healthz answers while the store does, and 503 STORE_UNAVAILABLE once it is gone', async () => {
    const up = await app.inject({ method: 'GET', url: '/healthz' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ ok: true });
    const other = await backend.open();
    const gone = createService({ store: other, developerId: DEV, dialectFor: () => 'secretref', log: { write: () => true } });
    await other.close();
    const down = await gone.inject({ method: 'GET', url: '/healthz' });
    expect(down.statusCode).toBe(503);
    await gone.close();
  });

  it('the OpenAPI document is written from the route schemas, and real responses validate against it', async () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content: Record<string, { schema: object }> }> }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(Object.values(ROUTES).map((r) => r.url));
    expect(doc.paths['/render']?.post?.requestBody?.content['application/json']?.schema).toBe(ROUTES.render.body);
    const served = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(served.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    const ajv = new Ajv2020({ strict: false });
    for (const [url, body] of [
      ['/render', { definition: DEFINITION }],
      ['/refs', { definition: DEFINITION }],
      ['/plan', { definition: DEFINITION }],
      ['/lint', { definition: DEFINITION }],
      ['/redact', { definition: DEFINITION, text: 'x' }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, payload: body });
      const schema = doc.paths[url]?.post?.responses['200']?.content['application/json']?.schema as object;
      expect(ajv.validate(schema, res.json()), `${url}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it('no value in any log line, nor in any response but /render', () => {
    expect(log.split('\n').filter(Boolean).length).toBeGreaterThan(10);
    for (const line of log.split('\n').filter(Boolean)) expect(Object.keys(JSON.parse(line) as object)).toEqual(expect.arrayContaining(['time', 'level', 'req', 'route', 'status']));
    expect(leaks(log)).toEqual([]);
    expect(responses.length).toBeGreaterThan(5);
    for (const r of responses) expect(leaks(r)).toEqual([]);
  });
});

describeBackends(
  'secretref serve with a hung store',
  (backend: Backend) => {
    it('a render the store never answers ends with 503 STORE_UNAVAILABLE after the handler timeout; the service renders again once the store answers', async () => {
      const proxy = await startTcpProxy(backend.url);
      const store = await openStore({ url: proxy.url, schema: backend.freshSchema(), masterKey: keygen(), connectTimeoutMs: 1_000, statementTimeoutMs: 2_000 });
      await store.scope(DEV).create({ name: 'api_key', value: CANARY.api_key });
      const app = createService({ store, developerId: DEV, dialectFor: () => 'secretref', log: { write: () => true }, handlerTimeoutMs: 500 });
      try {
        proxy.blackhole();
        const started = performance.now();
        const hung = await app.inject({ method: 'POST', url: '/render', payload: { definition: 'a: $secrets.api_key\n' } });
        expect(hung.statusCode).toBe(503);
        expect((hung.json() as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
        expect(performance.now() - started).toBeLessThan(20_000);
        expect(hung.body).not.toContain(CANARY.api_key);
        await proxy.restore();
        // The hung query stays in flight (later renders join it) until the client's query timeout drops it.
        await until(async () => (await app.inject({ method: 'POST', url: '/render', payload: { definition: 'a: $secrets.api_key\n' } })).statusCode === 200, 30_000, 250);
      } finally {
        await app.close();
        await store.close().catch(() => undefined);
        await proxy.close();
      }
    }, 60_000);
  },
  ['server'],
);

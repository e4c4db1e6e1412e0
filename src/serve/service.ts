/**
 * The HTTP service as a fastify instance: the routes of schemas.ts over the library's render,
 * lint, analyzeSource and redact, with one resolver (and so one cache) per environment for every request. It
 * knows no socket or port (listen.ts binds it) and no argv (the CLI command builds its options).
 *
 * Logs: one JSON line per request (id, method, route, status, time, error code) and nothing
 * from a body — fastify's own request logging is off, and an error is logged by its code only.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  analyzeSource,
  isSecretrefError,
  jsonReport,
  lint,
  render,
  SecretrefError,
  type Dialect,
  type LintOptions,
  type RenderOptions,
  createResolver,
  type Resolver,
  type ResolverOptions,
  type Store,
  type VarValue,
} from '../index.js';
import { errorJson, planJson, refJson, problemJson, refsFileJson } from '../cli/json.js';
import { VERSION } from '../cli/version.js';
import { openApiDocument } from './openapi.js';
import { ROUTES, errorResponse } from './schemas.js';

/** Bounds of the service (docs/serve.md). */
export const SERVE_LIMITS = {
  /** Largest request body: the largest definition plus room for the JSON around it. */
  bodyBytes: 12 * 1024 * 1024,
  /** A request whose body has not arrived by then is dropped. */
  requestTimeoutMs: 30_000,
  /** A render, lint or plan that takes longer answers 503 TIMEOUT (the store is stuck). */
  handlerTimeoutMs: 30_000,
  /** Idle keep-alive connections are closed after this. */
  keepAliveMs: 5_000,
  /** Distinct environments (one resolver and cache each). */
  environments: 64,
} as const;

export interface ServiceOptions {
  /** The store; every request is confined to `developerId`. */
  store: Store;
  developerId: string;
  /** Cache settings of the resolvers (one per environment, shared by every request). */
  resolver?: Omit<ResolverOptions, 'developerId' | 'environment'>;
  /** The dialect of a request without `dialect` (the project config's choice for its filename). */
  dialectFor(filename: string | undefined): Dialect;
  /** The environment of a request without `environment` (the project config's). */
  environment?: string;
  /** Where the JSON log lines go. */
  log: { write(line: string): unknown };
  /** Required `Authorization: Bearer …` token; undefined: no token (a Unix socket in a private folder). */
  token?: string;
  handlerTimeoutMs?: number;
}

interface DefinitionBody {
  definition: string;
  filename?: string;
  dialect?: Dialect;
  environment?: string;
  tool?: string;
  vars?: Record<string, VarValue>;
}

type LintBody = DefinitionBody & { offline?: boolean; expiringWithinDays?: number };
type RedactBody = DefinitionBody & { text: string };

/** The name a request's definition is shown under in positions. */
const REQUEST_FILE = '<request>';

export function createService(options: ServiceOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: SERVE_LIMITS.bodyBytes,
    requestTimeout: SERVE_LIMITS.requestTimeoutMs,
    keepAliveTimeout: SERVE_LIMITS.keepAliveMs,
    return503OnClosing: true,
    // Ids in the log lines; a caller's X-Request-Id is not trusted into them.
    genReqId: counter(),
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false, allowUnionTypes: true } },
  });
  const scoped = options.store.scope(options.developerId);
  // One resolver, and so one cache, per environment (the overlay is a resolver setting), for every request.
  const resolvers = new Map<string, Resolver>();
  const resolverFor = (environment: string | undefined): Resolver => {
    let r = resolvers.get(environment ?? '');
    if (!r) {
      if (resolvers.size >= SERVE_LIMITS.environments) throw new SecretrefError('LIMIT_EXCEEDED', `At most ${SERVE_LIMITS.environments} environments are served by one service.`);
      r = createResolver(options.store, { ...options.resolver, developerId: options.developerId, ...(environment !== undefined ? { environment } : {}) });
      resolvers.set(environment ?? '', r);
    }
    return r;
  };
  app.addHook('onClose', async () => {
    for (const r of resolvers.values()) r.close();
    resolvers.clear();
  });
  const timeoutMs = options.handlerTimeoutMs ?? SERVE_LIMITS.handlerTimeoutMs;
  const token = options.token !== undefined ? Buffer.from(options.token, 'utf8') : undefined;
  const logLine = (fields: Record<string, unknown>): void => {
    options.log.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
  };

  const errorCodes = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request, reply) => {
    if (token === undefined) return;
    if (!bearerMatches(request.headers.authorization, token)) {
      errorCodes.set(request, 'PERMISSION_DENIED');
      await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('PERMISSION_DENIED', 'A bearer token is required (Authorization: Bearer <token>).'));
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    logLine({
      level: reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info',
      req: request.id,
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(errorCodes.has(request) ? { code: errorCodes.get(request) } : {}),
    });
  });
  app.setErrorHandler(async (error: unknown, request, reply) => {
    const [status, body] = errorReply(error);
    errorCodes.set(request, body.error.code);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    errorCodes.set(request, 'INVALID_INPUT');
    // The path is not repeated: a caller may have put anything in it.
    return reply.code(404).send(errorBody('INVALID_INPUT', 'No such operation. GET /openapi.json lists them.'));
  });

  const bounded = <T>(work: Promise<T>): Promise<T> => withTimeout(work, timeoutMs);
  const environmentOf = (b: DefinitionBody): string | undefined => b.environment ?? options.environment;
  const dialectOf = (b: DefinitionBody): Dialect => b.dialect ?? options.dialectFor(b.filename);
  const renderOptions = (b: DefinitionBody, plan: boolean): RenderOptions => {
    const environment = environmentOf(b);
    return {
      resolver: resolverFor(environment),
      filename: b.filename ?? REQUEST_FILE,
      dialect: dialectOf(b),
      vars: b.vars ?? {},
      plan,
      ...(b.tool !== undefined ? { tool: b.tool } : {}),
    };
  };
  const schema = (r: { body?: object; response: object }): Record<string, unknown> => ({
    ...(r.body ? { body: r.body } : {}),
    response: { 200: r.response, '4xx': errorResponse, '5xx': errorResponse },
  });

  app.post<{ Body: DefinitionBody }>(ROUTES.render.url, { schema: schema(ROUTES.render) }, async (request) => {
    const b = request.body;
    const rendered = await bounded(render(b.definition, renderOptions(b, false)));
    return { version: 1, dialect: dialectOf(b), value: rendered.value, references: rendered.references.map(refJson), warnings: (rendered.warnings ?? []).map(problemJson) };
  });

  app.post<{ Body: DefinitionBody }>(ROUTES.plan.url, { schema: schema(ROUTES.plan) }, async (request) => {
    const b = request.body;
    const rendered = await bounded(render(b.definition, renderOptions(b, true)));
    return planJson(b.filename ?? REQUEST_FILE, dialectOf(b), rendered.plan ?? [], rendered.warnings ?? []);
  });

  app.post<{ Body: RedactBody }>(ROUTES.redact.url, { schema: schema(ROUTES.redact) }, async (request) => {
    const b = request.body;
    // The same render as /render's (a cache hit while the values are fresh): its redact knows every value.
    const rendered = await bounded(render(b.definition, renderOptions(b, false)));
    return { version: 1, text: rendered.redact(b.text) };
  });

  app.post<{ Body: DefinitionBody }>(ROUTES.refs.url, { schema: schema(ROUTES.refs) }, async (request) => {
    const b = request.body;
    const file = b.filename ?? REQUEST_FILE;
    const dialect = dialectOf(b);
    const doc = analyzeSource(b.definition, { filename: file, dialect, ...(b.vars ? { vars: Object.keys(b.vars) } : {}) });
    return { version: 1, ...refsFileJson(file, dialect, doc) };
  });

  app.post<{ Body: LintBody }>(ROUTES.lint.url, { schema: schema(ROUTES.lint) }, async (request) => {
    const b = request.body;
    const file = b.filename ?? REQUEST_FILE;
    const dialect = dialectOf(b);
    const environment = environmentOf(b);
    const opts: LintOptions = {
      filename: file,
      dialect,
      ...(b.offline === true ? {} : { store: scoped, developerId: options.developerId }),
      ...(environment !== undefined ? { environment } : {}),
      ...(b.tool !== undefined ? { tool: b.tool } : {}),
      ...(b.vars ? { vars: Object.keys(b.vars) } : {}),
      ...(b.expiringWithinDays !== undefined ? { expiringWithinDays: b.expiringWithinDays } : {}),
    };
    const diagnostics = await bounded(lint(b.definition, opts));
    return { ...jsonReport(diagnostics, { filename: file }), files: [{ file, dialect }] };
  });

  const openapi = openApiDocument();
  app.get(ROUTES.openapi.url, { schema: schema(ROUTES.openapi) }, async () => openapi);

  app.get(ROUTES.healthz.url, { schema: schema(ROUTES.healthz) }, async (_request, reply) => {
    try {
      await bounded(scoped.list({ limit: 1 }));
    } catch (e) {
      const [status, body] = errorReply(e);
      return reply.code(status === 500 ? 503 : status).send(body);
    }
    const total = { hits: 0, misses: 0, storeQueries: 0, entries: 0 };
    for (const r of resolvers.values()) {
      const s = r.stats();
      total.hits += s.hits;
      total.misses += s.misses;
      total.storeQueries += s.storeQueries;
      total.entries += s.entries;
    }
    return { ok: true, version: VERSION, resolver: total };
  });

  return app;
}

/** Status and body of an error: ours by code; fastify's (validation, size, parse) as INVALID_INPUT; anything else by name only. */
function errorReply(e: unknown): [number, ReturnType<typeof errorBody>] {
  if (isSecretrefError(e)) {
    const body = errorJson(e, false);
    return [statusOf(e.code), { version: 1, error: { code: body.error.code, message: body.error.message, problems: body.error.problems } }];
  }
  const fe = e as { statusCode?: unknown; code?: unknown; validation?: unknown; validationContext?: unknown; message?: unknown };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own messages name the schema rule broken (`body/vars/x must be string`), never the value given.
    const message = fe.validation !== undefined && typeof fe.message === 'string' ? `Invalid request: ${fe.message}.` : describeClientError(fe.code, fe.statusCode);
    return [fe.statusCode, errorBody('INVALID_INPUT', message)];
  }
  const body = errorJson(e, false);
  return [500, { version: 1, error: { code: body.error.code, message: body.error.message, problems: [] } }];
}

/** A client error of fastify's by its code (its message may quote the body: a bad JSON's text). */
function describeClientError(code: unknown, status: number): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `The request body is larger than ${SERVE_LIMITS.bodyBytes} bytes.`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Send the request as Content-Type: application/json.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is empty.';
    default:
      return status === 400 ? 'The request body is not valid JSON.' : `The request was refused (HTTP ${status}).`;
  }
}

function statusOf(code: string): number {
  switch (code) {
    case 'STORE_UNAVAILABLE':
      return 503;
    case 'PERMISSION_DENIED':
      return 403;
    case 'ENCRYPTION_ERROR':
    case 'MASTER_KEY_MISSING':
      return 500;
    default:
      return 422;
  }
}

function errorBody(code: string, message: string): { version: 1; error: { code: string; message: string; problems: unknown[] } } {
  return { version: 1, error: { code, message, problems: [] } };
}

/** Constant-time comparison of `Authorization: Bearer <token>` with the configured token. */
function bearerMatches(header: string | undefined, token: Buffer): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1] as string, 'utf8');
  return given.length === token.length && timingSafeEqual(given, token);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new SecretrefError('STORE_UNAVAILABLE', `The operation did not finish within ${ms} ms.`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function counter(): () => string {
  let n = 0;
  return () => `r${(++n).toString(36)}`;
}

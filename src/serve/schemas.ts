/**
 * The HTTP service's contract, in one place: the JSON schema of every request and response.
 * Fastify validates requests and serialises responses with them (a field not named here never
 * leaves the service), and openapi.ts writes the OpenAPI document from the same objects. The
 * shapes are the CLI's `--json` documents (src/cli/json.ts) where one exists.
 */
import { DIALECTS, LIMITS } from '../index.js';

/** What every operation takes: a definition's text and how to read and render it. */
export const definitionRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['definition'],
  properties: {
    definition: { type: 'string', maxLength: LIMITS.maxDocumentBytes, description: 'The tool definition: JSON or YAML source text.' },
    filename: { type: 'string', maxLength: 4096, description: 'Shown in positions; picks the dialect from the project config file when `dialect` is not given.' },
    dialect: { type: 'string', enum: [...DIALECTS], description: 'How strings are read (default: the project config file, else secretref).' },
    environment: { type: 'string', maxLength: 128, pattern: '^[A-Za-z][A-Za-z0-9_]*$', description: '`prod` uses `prod_NAME` when it exists, else `NAME` (default: the project config file).' },
    tool: { type: 'string', maxLength: 256, description: "The tool being rendered, for usage policies (default: the definition's top-level name)." },
    vars: {
      type: 'object',
      maxProperties: 1000,
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      description: 'Variables the definition may use (they are not secrets and are never redacted).',
    },
  },
} as const;

/** `/lint` also takes whether to skip the store rules. */
export const lintRequest = {
  ...definitionRequest,
  properties: {
    ...definitionRequest.properties,
    offline: { type: 'boolean', description: 'Only the offline rules (no store look-ups).' },
    expiringWithinDays: { type: 'integer', minimum: 0, maximum: 3650, description: 'SECRET_EXPIRING warns this many days ahead (default 14).' },
  },
} as const;

/** `/redact` takes the render request again and the text to mask. */
export const redactRequest = {
  ...definitionRequest,
  required: ['definition', 'text'],
  properties: {
    ...definitionRequest.properties,
    text: { type: 'string', maxLength: LIMITS.maxDocumentBytes, description: "Text to mask (a failing call's error): every value the definition's render uses becomes [REDACTED:name]." },
  },
} as const;

const nullableInt = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

const problem = {
  type: 'object',
  required: ['code', 'message', 'path', 'line', 'column'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' }, line: nullableInt, column: nullableInt },
} as const;

const reference = {
  type: 'object',
  required: ['name', 'form', 'path', 'line', 'column', 'endLine', 'endColumn', 'optional', 'context'],
  properties: {
    name: { type: 'string' },
    form: { type: 'string', enum: ['expression', 'template', 'inline'] },
    path: { type: 'string' },
    line: nullableInt,
    column: nullableInt,
    endLine: nullableInt,
    endColumn: nullableInt,
    optional: { type: 'boolean' },
    context: { type: 'string' },
  },
} as const;

const version = { type: 'integer', const: 1 } as const;

/** `/render`: the rendered definition (the only response that holds values) and its references. */
export const renderResponse = {
  type: 'object',
  required: ['version', 'dialect', 'value', 'references', 'warnings'],
  properties: {
    version,
    dialect: { type: 'string' },
    value: { description: 'The rendered definition, structure and types preserved.' },
    references: { type: 'array', items: reference },
    warnings: { type: 'array', items: problem },
  },
} as const;

/** `/refs`: the `refs --json` document of one file. */
export const refsResponse = {
  type: 'object',
  required: ['version', 'file', 'dialect', 'references', 'problems', 'warnings'],
  properties: {
    version,
    file: { type: 'string' },
    dialect: { type: 'string' },
    references: { type: 'array', items: reference },
    problems: { type: 'array', items: problem },
    warnings: { type: 'array', items: problem },
  },
} as const;

const diagnostic = {
  type: 'object',
  required: ['file', 'code', 'severity', 'message', 'path', 'line', 'column', 'endLine', 'endColumn'],
  properties: {
    file: { type: 'string' },
    code: { type: 'string' },
    severity: { type: 'string', enum: ['error', 'warning', 'info'] },
    message: { type: 'string' },
    path: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    endLine: { type: 'integer' },
    endColumn: { type: 'integer' },
    suggestion: { type: 'string' },
    fingerprint: { type: 'string' },
    suppression: { type: 'object', required: ['kind', 'by'], properties: { kind: { type: 'string' }, by: { type: 'string' }, justification: { type: 'string' } } },
  },
} as const;

/** `/lint`: the `lint --format json` report (version 1) of one file. */
export const lintResponse = {
  type: 'object',
  required: ['version', 'diagnostics', 'suppressed', 'summary', 'files'],
  properties: {
    version,
    diagnostics: { type: 'array', items: diagnostic },
    suppressed: { type: 'array', items: diagnostic },
    summary: { type: 'object', additionalProperties: { type: 'integer' } },
    files: { type: 'array', items: { type: 'object', required: ['file', 'dialect'], properties: { file: { type: 'string' }, dialect: { type: 'string' } } } },
  },
} as const;

/** `/plan`: the `render --plan` document — which secret each reference uses. Never a value. */
export const planResponse = {
  type: 'object',
  required: ['version', 'file', 'dialect', 'warnings', 'plan'],
  properties: {
    version,
    file: { type: 'string' },
    dialect: { type: 'string' },
    warnings: { type: 'array', items: problem },
    plan: {
      type: 'array',
      items: {
        type: 'object',
        required: ['reference', 'secret', 'path', 'line', 'column', 'version', 'updatedAt', 'expiresAt', 'keyId'],
        properties: {
          reference: { type: 'string' },
          secret: nullableString,
          path: { type: 'string' },
          line: nullableInt,
          column: nullableInt,
          version: nullableInt,
          updatedAt: nullableString,
          expiresAt: nullableString,
          keyId: nullableString,
        },
      },
    },
  },
} as const;

/** `/redact`: the text with every value masked. */
export const redactResponse = {
  type: 'object',
  required: ['version', 'text'],
  properties: { version, text: { type: 'string' } },
} as const;

/** `/healthz`: the service is up and its store answers. */
export const healthResponse = {
  type: 'object',
  required: ['ok', 'version'],
  properties: { ok: { type: 'boolean' }, version: { type: 'string' }, resolver: { type: 'object', additionalProperties: { type: 'number' } } },
} as const;

/** Every error: the CLI's `--json` error document (src/cli/json.ts `errorJson`). */
export const errorResponse = {
  type: 'object',
  required: ['version', 'error'],
  properties: {
    version,
    error: {
      type: 'object',
      required: ['code', 'message', 'problems'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        problems: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              ...problem.properties,
              endLine: nullableInt,
              endColumn: nullableInt,
              suggestion: { type: 'string' },
              name: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

/** One operation of the service. */
export interface Route {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  body?: object;
  response: object;
}

/** The service's operations, in the order the OpenAPI document lists them. */
export const ROUTES = {
  render: { method: 'POST', url: '/render', summary: 'Render a definition with its secrets substituted.', body: definitionRequest, response: renderResponse },
  lint: { method: 'POST', url: '/lint', summary: 'Lint a definition (offline rules, and the store rules unless offline).', body: lintRequest, response: lintResponse },
  refs: { method: 'POST', url: '/refs', summary: 'List the secret references of a definition, with positions.', body: definitionRequest, response: refsResponse },
  plan: { method: 'POST', url: '/plan', summary: 'Name the secret behind each reference (never a value).', body: definitionRequest, response: planResponse },
  redact: { method: 'POST', url: '/redact', summary: "Mask every value a definition's render uses in a text (a failing call's error).", body: redactRequest, response: redactResponse },
  healthz: { method: 'GET', url: '/healthz', summary: 'The service is up and its store answers.', response: healthResponse },
  openapi: { method: 'GET', url: '/openapi.json', summary: 'This OpenAPI 3.1 document.', response: { type: 'object', additionalProperties: true } },
} as const satisfies Record<string, Route>;

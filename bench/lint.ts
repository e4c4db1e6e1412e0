/**
 * Offline lint throughput: a generated corpus of realistic tool definitions (OpenAI function
 * tools and Anthropic tools as JSON, Julep api_call and integration tools as YAML; every one with
 * references in URLs, headers or setup, parameter schemas with descriptions), each linted as its
 * own document, as `secretref lint tools/` does file by file. Target: >= 5,000 definitions/s on
 * one core.
 *
 *   node --import tsx bench/lint.ts [count]
 */
import { pathToFileURL } from 'node:url';
import { lint } from '../src/lint/index.js';

export interface LintBenchResult {
  definitions: number;
  bytes: number;
  seconds: number;
  definitionsPerSecond: number;
  diagnostics: number;
}

const SERVICES = ['stripe', 'github', 'slack', 'openweathermap', 'yelp', 'sendgrid', 'twilio', 'notion', 'linear', 'hubspot', 'shopify', 'zendesk'];
const PARAMS = ['query', 'city', 'amount', 'currency', 'customer_id', 'limit', 'channel', 'text', 'repo', 'status', 'email', 'date'];

function pick<T>(xs: readonly T[], i: number): T {
  return xs[i % xs.length] as T;
}

function schema(i: number): Record<string, unknown> {
  const n = 2 + (i % 4);
  const properties: Record<string, unknown> = {};
  for (let k = 0; k < n; k++) {
    const p = pick(PARAMS, i + k * 5);
    properties[p] = k % 3 === 0 ? { type: 'string', enum: ['a', 'b', 'c'], description: `The ${p.replace('_', ' ')} to use, e.g. "b".` } : { type: k % 2 ? 'integer' : 'string', description: `The ${p.replace('_', ' ')} (see the API docs for the format).` };
  }
  return { type: 'object', properties, required: Object.keys(properties).slice(0, 1) };
}

/** The i-th definition of the corpus (deterministic). */
export function definition(i: number): string {
  const svc = pick(SERVICES, i);
  const name = `${svc}_${pick(PARAMS, i * 7)}_${i}`;
  switch (i % 4) {
    case 0:
      return JSON.stringify(
        {
          type: 'function',
          function: { name, description: `Calls the ${svc} API to look up a ${pick(PARAMS, i)}. Returns JSON.`, parameters: schema(i) },
          api_call: { method: 'POST', url: `https://api.${svc}.com/v1/${pick(PARAMS, i + 1)}`, headers: { Authorization: `Bearer $secrets.${svc}_api_key`, 'Content-Type': 'application/json' } },
        },
        null,
        2,
      );
    case 1:
      return [
        `name: ${name}`,
        `description: Search ${svc} for a ${pick(PARAMS, i + 2)} and return the first matches.`,
        'type: api_call',
        'api_call:',
        '  method: GET',
        `  url: "https://api.${svc}.com/v2/search?limit=10&key={{ secrets.${svc}_key | urlencode }}"`,
        '  headers:',
        `    Authorization: "Bearer \${secrets.${svc}_token}"`,
        '    Accept: application/json',
        `    X-Request-Source: agent-${i % 97}`,
        '  params_schema:',
        '    type: object',
        '    properties:',
        `      ${pick(PARAMS, i)}: { type: string, description: "What to look for." }`,
        `      ${pick(PARAMS, i + 3)}: { type: integer, description: "At most this many results." }`,
        '',
      ].join('\n');
    case 2:
      return [
        `name: ${name}`,
        `description: Run a read-only query against the ${svc} warehouse.`,
        'type: integration',
        'integration:',
        '  provider: postgres',
        '  setup:',
        `    dsn: "postgresql://$secrets.${svc}_db_user:\${secrets.${svc}_db_password}@db-${i % 13}.internal:5432/${svc}"`,
        `    statement_timeout: ${10 + (i % 50)}s`,
        "    ssl: \"$ secrets.pg_ssl_mode ?? 'require'\"",
        '  arguments:',
        '    query: "{{ inputs.sql }}"',
        '',
      ].join('\n');
    default:
      return JSON.stringify(
        {
          name,
          description: `Post an update to ${svc}. Use only when the user asks for it.`,
          input_schema: schema(i + 1),
          api_call: { url: `https://hooks.${svc}.com/services/${i % 1000}`, method: 'POST', headers: { 'X-Api-Key': `{{ secrets.${svc}_webhook_key }}` } },
        },
        null,
        2,
      );
  }
}

/** Lints `count` generated definitions (after a warm-up) and reports the throughput. */
export async function benchLint(count = 10_000): Promise<LintBenchResult> {
  const corpus = Array.from({ length: count }, (_, i) => definition(i));
  for (let i = 0; i < Math.min(500, count); i++) await lint(corpus[i] as string);
  let diagnostics = 0;
  const t0 = performance.now();
  for (const src of corpus) diagnostics += (await lint(src)).length;
  const seconds = (performance.now() - t0) / 1000;
  return { definitions: count, bytes: corpus.reduce((n, s) => n + s.length, 0), seconds, definitionsPerSecond: count / seconds, diagnostics };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchLint(Number(process.argv[2] ?? 10_000));
  process.stdout.write(
    `lint (offline): ${r.definitions} definitions, ${(r.bytes / 1024).toFixed(0)} KiB in ${r.seconds.toFixed(2)} s → ` +
      `${Math.round(r.definitionsPerSecond)} definitions/s (target >= 5000), ${r.diagnostics} diagnostics\n`,
  );
}

/**
 * The OpenAPI 3.1 document of the service, written from the route table and its JSON schemas
 * (schemas.ts): one home for the contract, served at `GET /openapi.json` and printed by
 * `secretref serve --openapi`.
 */
import { VERSION } from '../cli/version.js';
import { ROUTES, errorResponse, type Route } from './schemas.js';

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, route] of Object.entries(ROUTES) as [string, Route][]) {
    const json = (schema: object, description: string): Record<string, unknown> => ({ description, content: { 'application/json': { schema } } });
    paths[route.url] = {
      [route.method.toLowerCase()]: {
        operationId: id,
        summary: route.summary,
        ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
        responses: {
          200: json(route.response, 'OK'),
          400: json(errorResponse, 'The request does not match its schema, or is not JSON.'),
          401: json(errorResponse, 'No valid bearer token (TCP, or a socket started with a token).'),
          403: json(errorResponse, "A secret's usage policy refuses this tool or host (PERMISSION_DENIED)."),
          413: json(errorResponse, 'The body is larger than the limit.'),
          422: json(errorResponse, 'The definition has problems: every one, with its code and position.'),
          503: json(errorResponse, 'The store is unavailable, or the operation timed out.'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'secretref serve',
      version: VERSION,
      description: 'Render, lint and inspect tool definitions with secret references, for runtimes that are not Node. Local only: a Unix socket, or loopback TCP with a bearer token.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }, {}],
    paths,
  };
}

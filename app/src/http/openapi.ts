// Builds the OpenAPI 3.1 document from the route declarations. JSON Schema 2020-12 (what zod emits) is
// the schema dialect of OpenAPI 3.1, so the schemas are used as they are.
import { z } from 'zod';
import type { RouteSpec } from './route.ts';
import { errorResponse } from './schemas.ts';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const RETRY_AFTER = { description: 'Seconds to wait before retrying (RFC 9110 section 10.2.3).', schema: { type: 'string', pattern: '^[0-9]+$' } };

/** Errors any route can answer with, on top of the ones it declares. */
function commonErrors(route: RouteSpec): Record<number, string> {
  const errors: Record<number, string> = {
    429: '`rate_limited` or `account_locked` (with Retry-After).',
    500: '`internal_error`.',
  };
  // Issue 14: a route that uses PostgreSQL can meet a transient failure; the others (/healthz, the JWKS,
  // /metrics, /openapi.json) never answer it. /readyz declares its own 503.
  if (route.database) {
    errors[503] = '`unavailable` (with Retry-After, in seconds): PostgreSQL is unreachable or had a transient failure (deadlock, serialization failure, lock timeout, lost connection); retry after the given delay.';
  }
  if (route.body) {
    errors[400] = '`invalid_request`: malformed JSON or a field failing validation.';
    errors[413] = '`payload_too_large`: the body exceeds 16 KiB.';
    errors[415] = '`unsupported_media_type`: the body is not application/json.';
  }
  if (route.auth) errors[401] = '`invalid_token`: missing, invalid or expired access token, or revoked session.';
  return errors;
}

export interface OpenApiInfo {
  title: string;
  version: string;
}

/**
 * Builds the OpenAPI 3.1 document from the routes themselves, so the description cannot drift from what is served.
 * @param routes - every route the router serves.
 * @param info - title and version.
 * @returns the document, as JSON-ready data.
 */
export function buildOpenApi(routes: readonly RouteSpec[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, text] of Object.entries(commonErrors(route))) {
      const retryAfter = status === '429' || status === '503' ? { headers: { 'Retry-After': RETRY_AFTER } } : {};
      responses[status] = { description: text, content: { 'application/json': { schema: ERROR_REF } }, ...retryAfter };
    }
    for (const [status, spec] of Object.entries(route.responses)) {
      const headers = spec.headers
        ? Object.fromEntries(Object.entries(spec.headers).map(([name, value]) => [
            name,
            typeof value === 'string' ? { schema: { type: 'string', const: value } } : { description: value.description, schema: { type: 'string', pattern: value.pattern } },
          ]))
        : undefined;
      const content = Number(status) >= 400
        ? { 'application/json': { schema: ERROR_REF } }
        : spec.schema
          ? { [spec.contentType ?? 'application/json']: { schema: toSchema(spec.schema, 'output') } }
          : spec.contentType
            ? { [spec.contentType]: { schema: { type: 'string' } } }
            : undefined;
      responses[status] = { description: spec.description, ...(content && { content }), ...(headers && { headers }) };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth && { security: [{ bearer: [] }] }),
      ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Error: toSchema(errorResponse, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

// Operational endpoints: keys, health, readiness, metrics and the API description.
import type { Registry } from 'prom-client';
import type { KeySet } from '../../auth/signing-keys.ts';
import { AppError } from '../../errors.ts';
import { withDeadline } from '../../shared/deadline.ts';
import { defineRoute, type RouteSpec } from '../route.ts';
import { healthResponse, jwksResponse, openApiResponse, readinessResponse } from '../schemas.ts';

export interface Readiness {
  postgres(): Promise<boolean>;
  /**
   * Absent when ClickHouse is not configured. Unreachable (false) degrades readiness; a missing events database
   * ('database_missing') fails it, since events would never land.
   */
  clickhouse?(): Promise<boolean | 'database_missing'>;
}

// Health checkers give up after a few seconds; a check that hangs counts as a failed one, so a stuck
// dependency answers 503 before the platform's own health-check timeout fires.
const READINESS_TIMEOUT_MS = 2_000;

// Five minutes: short enough that a key published as `next` one deploy ahead is seen by everyone.
const JWKS_CACHE_CONTROL = 'public, max-age=300';

// The JWKS's strong entity tag (RFC 9110 section 8.8.3): the quoted base64url SHA-256 of the served bytes.
const JWKS_ETAG = { description: 'Strong entity tag of the body (RFC 9110 section 8.8.3), for If-None-Match.', pattern: '^"[A-Za-z0-9_-]{43}"$' };

/**
 * The If-None-Match evaluation of an origin server (RFC 9110 section 13.1.2): true when the header is `*`
 * or lists `etag` by weak comparison (section 8.8.3.2, a `W/` prefix ignored). Koa's ctx.fresh is not
 * used: it follows cache rules and answers 200 to any request with Cache-Control: no-cache, which fetch()
 * adds to every conditional request (Fetch standard, HTTP-network-or-cache fetch).
 * @param header - the If-None-Match value.
 * @param etag - the current strong ETag.
 * @returns whether the response is 304 Not Modified.
 */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return header.split(',').some((tag) => opaque(tag.trim()) === opaque(etag));
}

export interface SystemRouteDeps {
  keys: KeySet;
  readiness: Readiness;
  registry: Registry;
  openapi: () => object;
}

/**
 * The operational routes: JWKS, health, readiness (checks bounded to 2 s), metrics and the OpenAPI document.
 * @param deps - signing keys, readiness checks, the metrics registry and the OpenAPI document.
 * @returns the routes.
 */
export function systemRoutes(deps: SystemRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      operationId: 'getJwks',
      summary: 'Public signing keys (next, current and previous)',
      tag: 'keys',
      responses: {
        200: { description: 'A JWK set, with a strong ETag.', schema: jwksResponse, headers: { 'Cache-Control': JWKS_CACHE_CONTROL, ETag: JWKS_ETAG } },
        304: { description: 'Not Modified: If-None-Match names the current ETag.', headers: { 'Cache-Control': JWKS_CACHE_CONTROL, ETag: JWKS_ETAG } },
      },
      handler: (ctx) => {
        // The body and its ETag are made once per key set (signing-keys.ts), not per request.
        const { body, etag } = deps.keys.jwksDocument;
        ctx.set('Cache-Control', JWKS_CACHE_CONTROL);
        ctx.set('ETag', etag);
        if (matchesIfNoneMatch(ctx.get('If-None-Match'), etag)) {
          ctx.status = 304;
          return;
        }
        ctx.type = 'application/json';
        ctx.body = body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      summary: 'Liveness: the process is up',
      tag: 'operations',
      responses: { 200: { description: 'Alive.', schema: healthResponse } },
      handler: (ctx) => {
        ctx.body = { status: 'ok' };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      summary: 'Readiness: PostgreSQL is reachable and the events database exists (an unreachable ClickHouse only degrades)',
      tag: 'operations',
      responses: { 200: { description: 'Ready.', schema: readinessResponse }, 503: { description: '`unavailable`: PostgreSQL is unreachable, or ClickHouse answers that the events database does not exist.' } },
      handler: async (ctx) => {
        const check = deps.readiness.clickhouse;
        const [postgres, clickhouse] = await Promise.all([
          withDeadline(deps.readiness.postgres(), READINESS_TIMEOUT_MS, false),
          check ? withDeadline(check(), READINESS_TIMEOUT_MS, false as const) : Promise.resolve(undefined),
        ]);
        if (!postgres || clickhouse === 'database_missing') throw new AppError('unavailable', { retryAfterSeconds: 5 });
        ctx.body = { status: 'ok', checks: { postgres: 'ok', clickhouse: clickhouse === undefined ? 'disabled' : clickhouse ? 'ok' : 'degraded' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      tag: 'operations',
      responses: { 200: { description: 'Prometheus text format.', contentType: 'text/plain' } },
      handler: async (ctx) => {
        ctx.type = deps.registry.contentType;
        ctx.body = await deps.registry.metrics();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This API description (OpenAPI 3.1)',
      tag: 'operations',
      responses: { 200: { description: 'The OpenAPI document.', schema: openApiResponse } },
      handler: (ctx) => {
        ctx.body = deps.openapi();
      },
    }),
  ];
}

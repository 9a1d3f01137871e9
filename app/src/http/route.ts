// A route is one declaration: method, path, schemas and handler. The same declaration registers the
// handler, validates the body and documents the operation in OpenAPI.
import type { z } from 'zod';
import type { AppContext } from './context.ts';
import { AppError } from '../errors.ts';
import { readJsonBody } from './json-body.ts';
import { describeIssues } from './schemas.ts';
import type { RequestContext } from '../auth/seams.ts';

export type HttpMethod = 'get' | 'post' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** Response headers: a fixed value (documented as a const), or a pattern its values follow. */
  headers?: Record<string, string | { description: string; pattern: string }>;
}

export interface RouteSpec<Body extends z.ZodType | undefined = z.ZodType | undefined> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Bearer access token required. */
  auth?: boolean;
  /** Uses PostgreSQL: can answer 503 `unavailable` on a transient database failure (issue 14). */
  database?: boolean;
  body?: Body;
  /** Success and route-specific error responses; the common errors are added by the OpenAPI builder. */
  responses: Record<number, ResponseSpec>;
  handler: (ctx: AppContext, body: Body extends z.ZodType ? z.output<Body> : undefined) => Promise<void> | void;
}

/**
 * Declares a route; typed so the handler receives the parsed body.
 * @param spec - method, path, OpenAPI metadata, body schema and handler.
 * @returns the route, as the router and the OpenAPI builder take it.
 */
export function defineRoute<Body extends z.ZodType | undefined = undefined>(spec: RouteSpec<Body>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/**
 * The Koa handler for a route: parses and validates the body, then runs the route's handler.
 * @param spec - the route.
 * @returns the Koa handler.
 * @throws AppError `invalid_request` when the body does not match the route's schema.
 */
export function routeHandler(spec: RouteSpec) {
  return async (ctx: AppContext) => {
    let body: unknown;
    if (spec.body) {
      const result = spec.body.safeParse(await readJsonBody(ctx));
      if (!result.success) throw new AppError('invalid_request', { message: describeIssues(result.error) });
      body = result.data;
    }
    await spec.handler(ctx, body as never);
  };
}

/**
 * The bearer token of the request.
 * @param ctx - the request context.
 * @returns the token of `Authorization: Bearer` (RFC 6750 §2.1).
 * @throws AppError `invalid_token` (with the challenge `Bearer`, RFC 6750 §3.1) when absent or malformed.
 */
export function bearerToken(ctx: AppContext): string {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(ctx.get('Authorization'));
  if (!match?.[1]) throw new AppError('invalid_token', { message: 'A Bearer access token is required.', challenge: { scheme: 'Bearer' } });
  return match[1];
}

/**
 * Who is asking, for events and throttling.
 * @param ctx - the request context.
 * @returns client IP, User-Agent (at most 256 characters) and request id.
 */
export function requestContext(ctx: AppContext): RequestContext {
  const userAgent = ctx.get('User-Agent');
  return { clientIp: ctx.state.clientIp, userAgent: userAgent ? userAgent.slice(0, 256) : undefined, requestId: ctx.state.requestId };
}

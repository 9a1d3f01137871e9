// Logging in and out, and refreshing tokens.
import type { AuthService } from '../../auth/auth-service.ts';
import { bearerToken, defineRoute, requestContext, type RouteSpec } from '../route.ts';
import { loginRequest, refreshRequest, tokenPairResponse } from '../schemas.ts';

/**
 * The session routes: login, refresh (RFC 6749 §6 with rotation) and logout.
 * @param auth - the auth service.
 * @returns the routes.
 */
export function sessionRoutes(auth: AuthService): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sessions',
      operationId: 'login',
      summary: 'Log in with email and password; starts a session',
      tag: 'sessions',
      database: true,
      body: loginRequest,
      responses: {
        200: { description: 'A token pair.', schema: tokenPairResponse },
        401: { description: '`invalid_credentials`, the same for an unknown email and a wrong password.' },
      },
      handler: async (ctx, body) => {
        ctx.body = await auth.login(body, requestContext(ctx));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/tokens/refresh',
      operationId: 'refreshTokens',
      summary: 'Exchange a refresh token for a new token pair (the refresh token rotates)',
      tag: 'sessions',
      database: true,
      body: refreshRequest,
      responses: {
        200: { description: 'A token pair.', schema: tokenPairResponse },
        401: { description: '`invalid_token`, or `token_reused` when a rotated token is presented again after REFRESH_REUSE_INTERVAL (the session is then revoked). Within the interval, while its successor is unused, a repeat answers 200 with that same successor refresh token.' },
      },
      handler: async (ctx, body) => {
        ctx.body = await auth.refresh(body.refresh_token, requestContext(ctx));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/sessions/current',
      operationId: 'logout',
      summary: 'Log out of the current session',
      tag: 'sessions',
      database: true,
      auth: true,
      responses: { 204: { description: 'The session is revoked.' } },
      handler: async (ctx) => {
        await auth.logout(await auth.authenticate(bearerToken(ctx)), requestContext(ctx));
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/sessions',
      operationId: 'logoutAll',
      summary: 'Log out of every session of the user',
      tag: 'sessions',
      database: true,
      auth: true,
      responses: { 204: { description: 'Every session of the user is revoked.' } },
      handler: async (ctx) => {
        await auth.logoutAll(await auth.authenticate(bearerToken(ctx)), requestContext(ctx));
        ctx.status = 204;
      },
    }),
  ];
}

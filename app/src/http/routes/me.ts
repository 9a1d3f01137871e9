// The authenticated user.
import { publicUser, type AuthService } from '../../auth/auth-service.ts';
import { bearerToken, defineRoute, requestContext, type RouteSpec } from '../route.ts';
import { changePasswordRequest, userResponse } from '../schemas.ts';

/**
 * The routes of the authenticated user: `GET /v1/me` and `POST /v1/me/password`.
 * @param auth - the auth service.
 * @returns the routes.
 */
export function meRoutes(auth: AuthService): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/me',
      operationId: 'getMe',
      summary: 'The current user (the session must not be revoked)',
      tag: 'users',
      database: true,
      auth: true,
      responses: { 200: { description: 'The user.', schema: userResponse } },
      handler: async (ctx) => {
        const { user } = await auth.authenticate(bearerToken(ctx));
        ctx.body = publicUser(user);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/me/password',
      operationId: 'changePassword',
      summary: 'Change the password; every other session of the user ends',
      tag: 'users',
      database: true,
      auth: true,
      body: changePasswordRequest,
      responses: {
        204: { description: 'The password is changed.' },
        422: { description: '`weak_password` or `breached_password`.' },
      },
      handler: async (ctx, body) => {
        const authenticated = await auth.authenticate(bearerToken(ctx));
        await auth.changePassword(authenticated, { currentPassword: body.current_password, newPassword: body.new_password }, requestContext(ctx));
        ctx.status = 204;
      },
    }),
  ];
}

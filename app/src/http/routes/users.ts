// Registration.
import type { AuthService } from '../../auth/auth-service.ts';
import { defineRoute, requestContext, type RouteSpec } from '../route.ts';
import { registerRequest, userResponse } from '../schemas.ts';

/**
 * The registration route, `POST /v1/users`.
 * @param auth - the auth service.
 * @returns the routes.
 */
export function userRoutes(auth: AuthService): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/users',
      operationId: 'registerUser',
      summary: 'Register a user',
      tag: 'users',
      database: true,
      body: registerRequest,
      responses: {
        201: { description: 'The user was created.', schema: userResponse },
        409: { description: '`email_taken`: the email is registered already.' },
        422: { description: '`weak_password` or `breached_password`.' },
      },
      handler: async (ctx, body) => {
        ctx.status = 201;
        ctx.body = await auth.register(body, requestContext(ctx));
      },
    }),
  ];
}

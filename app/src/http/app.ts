// createApp builds the Koa application from its dependencies without listening, so tests and main.ts
// assemble the same thing. The middleware order below is the request's path through the service.
import Koa, { type Middleware } from 'koa';
import Router from 'koa-router';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuthService } from '../auth/auth-service.ts';
import type { KeySet } from '../auth/signing-keys.ts';
import type { Config } from '../config/index.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import type { AppState } from './context.ts';
import { clientIp, forwardedClientIp, type ClientIpResolver } from './middleware/client-ip.ts';
import { errorHandler, notFound, type TransientFailure } from './middleware/error-handler.ts';
import { observe } from './middleware/observe.ts';
import { requestId } from './middleware/request-id.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { buildOpenApi } from './openapi.ts';
import { routeHandler, type RouteSpec } from './route.ts';
import { meRoutes } from './routes/me.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { systemRoutes, type Readiness } from './routes/system.ts';
import { userRoutes } from './routes/users.ts';

export interface AppDeps {
  config: Config;
  /** The auth flows the routes call (built by app/src/composition.ts). */
  auth: AuthService;
  keys: KeySet;
  logger: Logger;
  registry: Registry;
  /** The registry's metrics, when already created (a registry takes each metric once). */
  metrics?: Metrics;
  readiness: Readiness;
  clientIp?: ClientIpResolver;
  /** Runs after the client IP is known and before routing. */
  middleware?: Middleware<AppState>[];
  /**
   * Middleware of one route, run after the router matched it and before its handler (e.g. the rate
   * limit of the credential endpoints, so that it holds for every spelling of the path that the router
   * accepts). Called once per route at start-up.
   */
  routeMiddleware?: (route: RouteSpec) => Middleware<AppState>[];
  /** Classifies a failure as transient (503 with Retry-After); without it every unknown error is a 500. */
  transientFailure?: (error: unknown) => TransientFailure | undefined;
}

export interface App {
  koa: Koa<AppState>;
  routes: readonly RouteSpec[];
  openapi: Record<string, unknown>;
  /** What the router really serves, as `METHOD /path` (HEAD excluded), so tests can hold it to the OpenAPI document. */
  servedRoutes(): string[];
}

/**
 * Builds the Koa application (without listening) around the services it routes to.
 * @param deps - config, the auth service, signing keys, logger, metrics registry, readiness checks and seams.
 * @returns the Koa app, its routes, its OpenAPI document and the served routes.
 */
export function createApp(deps: AppDeps): App {
  const metrics = deps.metrics ?? createMetrics(deps.registry);
  const { auth } = deps;

  let openapi: Record<string, unknown> = {};
  const routes: RouteSpec[] = [
    ...userRoutes(auth),
    ...sessionRoutes(auth),
    ...meRoutes(auth),
    ...systemRoutes({ keys: deps.keys, readiness: deps.readiness, registry: deps.registry, openapi: () => openapi }),
  ];
  openapi = buildOpenApi(routes, { title: 'Auth Platform API', version: deps.config.serviceVersion });

  // Issue 14: strict and case-sensitive, so a path the service serves has exactly one spelling
  // (`/v1/sessions/` and `/V1/sessions` are 404), and whatever is keyed on a path sees that spelling only.
  const router = new Router<AppState>({ strict: true, sensitive: true });
  for (const route of routes) router[route.method](route.path, ...(deps.routeMiddleware?.(route) ?? []), routeHandler(route));

  const koa = new Koa<AppState>({ proxy: false });
  // Errors are answered and logged by errorHandler; Koa's own stderr printing would duplicate them.
  koa.silent = true;
  koa.use(requestId(deps.logger));
  koa.use(securityHeaders());
  koa.use(observe(metrics, deps.logger));
  koa.use(
    errorHandler({
      transientFailure: deps.transientFailure,
      onTransientFailure: ({ kind }) => metrics.databaseTransientErrors.inc({ kind, outcome: 'unavailable' }),
    }),
  );
  koa.use(clientIp(deps.clientIp ?? forwardedClientIp(deps.config.security.trustedProxyHops)));
  for (const middleware of deps.middleware ?? []) koa.use(middleware);
  koa.use(notFound());
  koa.use(router.routes());
  koa.use(router.allowedMethods());
  const servedRoutes = () =>
    router.stack.flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${layer.path}`));
  return { koa, routes, openapi, servedRoutes };
}

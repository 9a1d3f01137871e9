// The Koa state every request carries, filled by the middleware in app.ts.
import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';

export interface AppState {
  requestId: string;
  /** Request-scoped logger: every line carries the request id. */
  log: Logger;
  /** Client IP as trusted through TRUSTED_PROXY_HOPS; set by the client-ip middleware. */
  clientIp: string;
}

export type AppContext = ParameterizedContext<AppState>;

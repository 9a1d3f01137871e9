// A request id on every response and log line. A caller's X-Request-Id is kept when it looks sane, so
// ids can be followed across services; anything else is replaced rather than echoed into our logs.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { AppState } from '../context.ts';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestId(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const id = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    // The request-scoped child logger is made on first use: most requests log only their access line
    // (observe.ts, which names the request id itself), and a pino child per request showed in profiles.
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (log ??= logger.child({ requestId: id })), enumerable: true, configurable: true });
    ctx.set('X-Request-Id', id);
    await next();
  };
}

// A request id on every response and log line. A caller's X-Request-Id is kept when it looks sane, so
// ids can be followed across services; anything else is replaced rather than echoed into our logs.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { AppState } from '../context.ts';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The state of one request. Its request-scoped logger is made on first use: most requests log only their
 * access line (observe.ts names the request id itself), and a pino child per request showed in profiles.
 * A class rather than a getter defined per request, so every request's state has the same shape.
 */
class RequestState implements AppState {
  clientIp = 'unknown';
  readonly #logger: Logger;
  #log: Logger | undefined;
  constructor(
    readonly requestId: string,
    logger: Logger,
  ) {
    this.#logger = logger;
  }

  get log(): Logger {
    this.#log ??= this.#logger.child({ requestId: this.requestId });
    return this.#log;
  }
}

/**
 * Gives each request an id (a valid incoming X-Request-Id, else a new UUID), echoes it and binds a child logger to it.
 * @param logger - the root logger.
 * @returns the middleware.
 */
export function requestId(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const id = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state = new RequestState(id, logger);
    ctx.set('X-Request-Id', id);
    await next();
  };
}

// The client IP, read once per request into ctx.state.clientIp. Behind N trusted proxies, each appends
// the address it saw to X-Forwarded-For, so the Nth entry from the RIGHT is the last one a trusted
// proxy wrote; everything to its left is client-controlled and never trusted.
import type { Middleware } from 'koa';
import { resolveClientIp } from '../client-ip.ts';
import type { AppContext, AppState } from '../context.ts';

export type ClientIpResolver = (ctx: AppContext) => string;

/**
 * The resolver that reads X-Forwarded-For behind `trustedProxyHops` proxies (see http/client-ip.ts).
 * @param trustedProxyHops - TRUSTED_PROXY_HOPS.
 * @returns the resolver.
 */
export function forwardedClientIp(trustedProxyHops: number): ClientIpResolver {
  resolveClientIp(undefined, undefined, trustedProxyHops); // a bad hop count fails at start-up, not per request
  // The parsing (hop counting, IP syntax, IPv4-mapped addresses) lives in ../client-ip.ts with its tests.
  return (ctx) => resolveClientIp(ctx.req.headers['x-forwarded-for'], ctx.req.socket.remoteAddress, trustedProxyHops);
}

/**
 * Koa middleware that sets `ctx.state.clientIp` (for rate limits, lockout and events) before anything uses it.
 * @param resolve - how the client IP is found.
 * @returns the middleware.
 */
export function clientIp(resolve: ClientIpResolver): Middleware<AppState> {
  return async (ctx, next) => {
    ctx.state.clientIp = resolve(ctx);
    await next();
  };
}

// The client IP, read once per request into ctx.state.clientIp. Behind N trusted proxies, each appends
// the address it saw to X-Forwarded-For, so the Nth entry from the RIGHT is the last one a trusted
// proxy wrote; everything to its left is client-controlled and never trusted.
import { isIP } from 'node:net';
import type { Middleware } from 'koa';
import type { AppContext, AppState } from '../context.ts';

export type ClientIpResolver = (ctx: AppContext) => string;

export function forwardedClientIp(trustedProxyHops: number): ClientIpResolver {
  return (ctx) => {
    const socketAddress = ctx.req.socket.remoteAddress ?? 'unknown';
    if (trustedProxyHops === 0) return socketAddress;
    const entries = (ctx.get('X-Forwarded-For') || '').split(',').map((entry) => entry.trim()).filter(Boolean);
    const candidate = entries[entries.length - trustedProxyHops];
    return candidate && isIP(candidate) ? candidate : socketAddress;
  };
}

export function clientIp(resolve: ClientIpResolver): Middleware<AppState> {
  return async (ctx, next) => {
    ctx.state.clientIp = resolve(ctx);
    await next();
  };
}

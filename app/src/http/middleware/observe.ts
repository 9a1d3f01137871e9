// One access-log line and the request metrics per request. The route label is the matched template
// (bounded cardinality), never the raw path; query strings are never logged since they may hold tokens.
import type { Middleware } from 'koa';
import type { Metrics } from '../../observability/metrics.ts';
import type { AppState } from '../context.ts';

export function observe(metrics: Metrics): Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      ctx.state.log.info({ method: ctx.method, path: ctx.path, route, status: ctx.status, durationMs: Math.round(seconds * 1000) }, 'request');
    }
  };
}

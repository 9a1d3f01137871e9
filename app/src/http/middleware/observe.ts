// One access-log line and the request metrics per request. The route label is the matched template
// (bounded cardinality), never the raw path; query strings are never logged since they may hold tokens.
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.ts';
import type { AppState } from '../context.ts';

/**
 * Counts and times every request (`http_requests_total`, `http_request_duration_seconds`, by route template) and logs it.
 * @param metrics - the registry's metrics.
 * @param logger - the request logger.
 * @returns the middleware.
 */
export function observe(metrics: Metrics, logger: Logger): Middleware<AppState> {
  // The access line has a fixed set of fields, none of them a redacted path (observability/logger.ts), so
  // it skips pino's per-line redaction, which a profile showed as the largest cost of a light request.
  // Every other line, including the request-scoped logger's, is still redacted.
  const accessLog = logger.child({}, { redact: [] });
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
      accessLog.info({ requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, route, status: ctx.status, durationMs: Math.round(seconds * 1000) }, 'request');
    }
  };
}

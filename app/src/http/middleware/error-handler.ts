// The outermost error middleware: every failure becomes `{error:{code,message}}` with a stable code.
// Unknown errors are logged with the request id and answered with a generic 500 that leaks nothing.
import type { Middleware } from 'koa';
import { AppError, errorBody, isAppError, type ErrorCode } from '../errors.ts';
import type { AppState } from '../context.ts';

// Errors thrown by Koa itself or its helpers carry an HTTP status; map the ones clients can cause.
const BY_STATUS: Record<number, ErrorCode> = { 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type' };

function toAppError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: unknown }).expose === true) {
    return new AppError(BY_STATUS[status] ?? 'invalid_request', { cause: error });
  }
  return undefined;
}

export function errorHandler(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = toAppError(caught) ?? new AppError('internal_error', { cause: caught });
      if (error.status >= 500) {
        ctx.state.log.error({ err: caught }, 'request failed');
      }
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.body = errorBody(error);
    }
  };
}

/** After routing: no route set a body, so answer 404 or 405 as JSON errors (keeping Allow). */
export function notFound(): Middleware<AppState> {
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 405 || ctx.status === 501) throw new AppError('method_not_allowed');
    if (ctx.status === 404) throw new AppError('not_found');
  };
}

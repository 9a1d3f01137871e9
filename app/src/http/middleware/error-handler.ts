// The outermost error middleware: every failure becomes `{error:{code,message}}` with a stable code.
// Unknown errors are logged with the request id and answered with a generic 500 that leaks nothing.
import type { Middleware } from 'koa';
import { AppError, isAppError, type ErrorCode } from '../../errors.ts';
import { errorBody, errorHeaders } from '../errors.ts';
import type { AppState } from '../context.ts';

// Errors thrown by Koa itself or its helpers carry an HTTP status; map the ones clients can cause.
const BY_STATUS: Record<number, ErrorCode> = { 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type' };

/** A failure that is the service's momentary state (e.g. PostgreSQL down), with when to retry. */
export interface TransientFailure {
  /** What failed, e.g. `connection` or `deadlock` (store/transient-errors.ts). */
  kind: string;
  /** Whole seconds the client should wait (Retry-After). */
  retryAfterSeconds: number;
}

export interface ErrorHandlerOptions {
  /** Classifies a caught error as transient; the composition passes store/transient-errors' classifier. */
  transientFailure?: (error: unknown) => TransientFailure | undefined;
  /** Called for each transient failure answered 503 (for a metric). */
  onTransientFailure?: (failure: TransientFailure) => void;
}

function toAppError(error: unknown, options: ErrorHandlerOptions): AppError | undefined {
  if (isAppError(error)) return error;
  // Issue 14: a deadlock, a lost connection or PostgreSQL down is the service's momentary state, not a
  // bug: 503 with Retry-After, so clients and load balancers back off and retry.
  const failure = options.transientFailure?.(error);
  if (failure) {
    options.onTransientFailure?.(failure);
    return new AppError('unavailable', { retryAfterSeconds: failure.retryAfterSeconds, cause: error });
  }
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: unknown }).expose === true) {
    return new AppError(BY_STATUS[status] ?? 'invalid_request', { cause: error });
  }
  return undefined;
}

/**
 * The outermost error middleware: turns every error into status, headers (http/errors.ts) and
 * `{error:{code,message}}`; a transient database failure is 503 with Retry-After, anything unknown a generic 500.
 * @param options - the transient-failure classifier (from the composition) and its metric hook.
 * @returns the middleware.
 */
export function errorHandler(options: ErrorHandlerOptions = {}): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = toAppError(caught, options) ?? new AppError('internal_error', { cause: caught });
      const transient = error.code === 'unavailable' ? options.transientFailure?.(caught) : undefined;
      if (transient) {
        // Expected while PostgreSQL is down or failing over, not a bug: a warning, with the kind of failure.
        ctx.state.log.warn({ err: caught, databaseFailure: transient.kind }, 'database unavailable');
      } else if (error.status >= 500) {
        ctx.state.log.error({ err: caught }, 'request failed');
      }
      ctx.status = error.status;
      ctx.set(errorHeaders(error));
      ctx.body = errorBody(error);
    }
  };
}

/**
 * After routing: no route set a body, so answer 404 or 405 as JSON errors (keeping Allow).
 * @returns the middleware.
 */
export function notFound(): Middleware<AppState> {
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 405 || ctx.status === 501) throw new AppError('method_not_allowed');
    if (ctx.status === 404) throw new AppError('not_found');
  };
}

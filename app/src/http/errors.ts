// The one error module. Every error the API can answer with has a stable `code`, an HTTP status and
// whether its message may be shown. Clients and tests depend on the codes, never on the messages.

export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is invalid.' },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.' },
  invalid_token: { status: 401, message: 'The token is invalid or expired.' },
  token_reused: { status: 401, message: 'The refresh token was already used; the session has been revoked.' },
  not_found: { status: 404, message: 'No such resource.' },
  method_not_allowed: { status: 405, message: 'Method not allowed on this resource.' },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be application/json.' },
  weak_password: { status: 422, message: 'The password does not meet the policy.' },
  breached_password: { status: 422, message: 'The password appears in a known data breach; choose another.' },
  account_locked: { status: 429, message: 'Too many failed attempts; try again later.' },
  rate_limited: { status: 429, message: 'Too many requests; try again later.' },
  internal_error: { status: 500, message: 'Internal error.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export interface AppErrorOptions {
  /** A specific, safe message for the client (e.g. which field is invalid). */
  message?: string;
  /** Response headers such as Retry-After or WWW-Authenticate. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error with a stable code that the error middleware turns into `{error:{code,message}}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** 5xx messages are never shown: the response uses the generic message. */
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.expose = this.status < 500;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The JSON body of an error response. */
export function errorBody(error: AppError): { error: { code: ErrorCode; message: string } } {
  return { error: { code: error.code, message: error.expose ? error.message : ERRORS[error.code].message } };
}

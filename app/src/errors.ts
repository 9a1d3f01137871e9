// The one error module, below every layer: auth/, store/ and http/ throw AppError with a stable `code`.
// Clients and tests depend on the codes, never on the messages. An error carries data (a retry-after in
// seconds, the authentication challenge), never protocol text: http/middleware/error-handler.ts turns it
// into a status, headers and a body (the model is panva/node-oidc-provider's lib/helpers/errors.js, whose
// errors carry `statusCode` and `error` and are rendered at the edge).

/** Each code with its status (the HTTP status class it maps to) and its default, client-safe message. */
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

/**
 * The authentication challenge of a refused credential (RFC 6750 §3): the scheme, and the error code
 * when a token was presented. Omit `error` when the request carried no credential at all (§3.1).
 */
export interface AuthChallenge {
  scheme: 'Bearer';
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
}

export interface AppErrorOptions {
  /** A specific, safe message for the client (e.g. which field is invalid). */
  message?: string;
  /** When the client may retry, in whole seconds from now (the edge answers Retry-After, RFC 9110 §10.2.3). */
  retryAfterSeconds?: number;
  /** The challenge to answer a refused credential with (the edge answers WWW-Authenticate, RFC 6750 §3). */
  challenge?: AuthChallenge;
  cause?: unknown;
}

/** An error with a stable code that the error middleware turns into `{error:{code,message}}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** 5xx messages are never shown: the response uses the generic message. */
  readonly expose: boolean;
  /** Seconds until a retry may succeed; undefined when not known. */
  readonly retryAfterSeconds: number | undefined;
  readonly challenge: AuthChallenge | undefined;

  /**
   * @param code - the stable code (a key of ERRORS), which fixes the status.
   * @param options - message, retry-after (seconds), challenge and cause.
   */
  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.expose = this.status < 500;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.challenge = options.challenge;
  }
}

/**
 * @param error - anything caught.
 * @returns whether it is an AppError.
 */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

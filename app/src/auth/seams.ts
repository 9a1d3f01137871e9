// Extension points for security hardening (issue 8). The core calls them when they are present and
// works without them, so hardening plugs in without rewriting the flows.

/** What is known about a login attempt before the password is checked. */
export interface LoginAttempt {
  /** The canonical email (auth/canonical-email.ts). */
  email: string;
  clientIp: string;
  /** Milliseconds since the epoch, from the injected clock. */
  now: number;
}

/** Per-account and per-IP failure counting and lockout, shared by every instance (PostgreSQL). */
export interface LoginThrottle {
  /** Throws AppError `account_locked` (carrying retryAfterSeconds) when the attempt must not proceed. */
  assertAllowed(attempt: LoginAttempt): Promise<void>;
  recordFailure(attempt: LoginAttempt & { userId?: string }): Promise<void>;
  recordSuccess(attempt: LoginAttempt & { userId: string }): Promise<void>;
}

/** Breached-password screening (Have I Been Pwned k-anonymity). */
export interface BreachedPasswordCheck {
  /**
   * Resolves `breached` or `ok`. When the upstream API is unreachable the implementation decides by its
   * own configuration: resolve `ok` (fail open) or throw AppError `unavailable` (fail closed).
   */
  check(password: string): Promise<'ok' | 'breached'>;
}

/** Who is asking, for events and throttling. */
export interface RequestContext {
  clientIp: string;
  userAgent?: string;
  requestId?: string;
}

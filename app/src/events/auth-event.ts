// The seam between the auth core and wherever auth events go (ClickHouse, logs, memory in tests).
// Emitting must never block or fail a request: sinks queue and return at once.

export const AUTH_EVENT_TYPES = [
  'user_registered',
  'login_succeeded',
  'login_failed',
  'account_locked',
  'token_refreshed',
  'refresh_token_reused',
  'session_revoked',
  'password_changed',
  'breached_password_check_failed',
] as const;

export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

export type AuthEventOutcome = 'success' | 'failure';

/** What the core knows when something security-relevant happens. Never a password, token or hash of one. */
export interface AuthEventInput {
  type: AuthEventType;
  outcome: AuthEventOutcome;
  /** Machine-readable reason, e.g. `unknown_user`, `bad_password`, `locked`, `logout`, `logout_all`, `password_change`, `reuse`. */
  reason?: string;
  userId?: string;
  sessionId?: string;
  /** Client IP as trusted through the configured proxy hops. */
  clientIp?: string;
  userAgent?: string;
  requestId?: string;
}

/** The stored form: the input plus identity, time and service metadata added by the emitter. */
export interface AuthEvent extends AuthEventInput {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  serviceVersion: string;
  environment: string;
}

export interface EventSink {
  /** Queues an event. Must return immediately and never throw. */
  emit(event: AuthEvent): void;
  /** Flushes what is queued, bounded by the deadline. */
  close(deadlineMs?: number): Promise<void>;
}

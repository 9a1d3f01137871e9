// Which database failures are transient: worth a retry or a 503 with Retry-After, never a 500 (issue 14).
// One classifier, used by the stores that retry and by the HTTP error handler that answers 503.
//
// Sources: PostgreSQL 15 error codes (Appendix A "PostgreSQL Error Codes": class 40 transaction rollback,
// 55P03, class 08, 57P01/57P02/57P03/57P05, 53300) and the connection error codes of postgres.js 3.4
// (src/errors.js, src/connection.js) and of Node (the "Common system errors" of the errors page and the
// dns module's ENOTFOUND / EAI_AGAIN: socket and lookup errors surface through postgres.js unchanged).
import postgres from 'postgres';

/**
 * - `serialization_failure` (40001), `deadlock` (40P01), `lock_timeout` (55P03): PostgreSQL rolled the
 *   transaction back, so running it again is safe.
 * - `connection`: the server is unreachable, shutting down, starting up or out of connection slots, or
 *   the connection dropped; whether the last statement committed is unknown.
 */
export type TransientDatabaseFailure = 'serialization_failure' | 'deadlock' | 'lock_timeout' | 'connection';

const BY_SQLSTATE: Record<string, TransientDatabaseFailure> = {
  '40001': 'serialization_failure',
  '40P01': 'deadlock',
  '55P03': 'lock_timeout',
  '57P01': 'connection', // admin_shutdown: the server is stopping (pg_ctl stop -m fast)
  '57P02': 'connection', // crash_shutdown
  '57P03': 'connection', // cannot_connect_now: starting up or shutting down
  '57P05': 'connection', // idle_session_timeout: the server closed an idle session (PostgreSQL 14+)
  '53300': 'connection', // too_many_connections
};

// postgres.js's own codes, and the socket errors it passes through.
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // getaddrinfo found no address for the host: during a failover or a DNS outage the name of a managed
  // database can briefly resolve to nothing (Node's dns module: ENOTFOUND).
  'ENOTFOUND',
]);

/**
 * Classifies a thrown value.
 * @returns the kind of transient failure, or undefined when the error is not a transient database one.
 * @param error - anything a database call threw (postgres.js 3.4 PostgresError or socket error).
 */
export function transientDatabaseFailure(error: unknown): TransientDatabaseFailure | undefined {
  if (error instanceof postgres.PostgresError) {
    // Class 08 is "connection exception" as a whole.
    return BY_SQLSTATE[error.code] ?? (error.code.startsWith('08') ? 'connection' : undefined);
  }
  if (error instanceof AggregateError) {
    // Node's happy-eyeballs connect reports every address it tried; transient when every one of them was.
    return error.errors.length > 0 && error.errors.every((inner) => transientDatabaseFailure(inner) === 'connection') ? 'connection' : undefined;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_CODES.has(code) ? 'connection' : undefined;
}

/**
 * True when postgres.js reports the connection of a failed statement closed or failing: its own
 * CONNECTION_CLOSED/DESTROYED/ENDED, or a socket error (the socket closes next). For code that runs a
 * transaction by hand on a reserved connection (postgres.js 3.4.9): send nothing more on such a connection
 * (a write then dereferences the null socket in a setImmediate, an uncaught TypeError, and never settles:
 * porsager/postgres#1208, unfixed in 3.4.9, the latest release), and do not release it: postgres.js puts
 * it back among the pool's closed connections when the socket closes, and release() would hand the
 * socketless connection out as an open one.
 * A PostgreSQL error, even FATAL (57P01), is not such a report: the server sends it before it closes, so a
 * ROLLBACK written then is flushed before the socket closes (the event loop runs setImmediate callbacks
 * before close callbacks), and postgres.js 3.4.9 can hand a killed backend's FATAL to the next query of the
 * reconnected, live connection (porsager/postgres#1215), which must be rolled back and released.
 * @param error - what a statement threw.
 * @returns whether the connection is closed or failing.
 */
export function connectionClosed(error: unknown): boolean {
  return !(error instanceof postgres.PostgresError) && transientDatabaseFailure(error) === 'connection';
}

/**
 * True for the failures after which PostgreSQL has rolled the whole transaction back.
 * @param failure - a transient failure kind, or undefined.
 * @returns true for serialization_failure (40001), deadlock (40P01) and lock_timeout (55P03).
 */
export function isRolledBack(failure: TransientDatabaseFailure | undefined): boolean {
  return failure === 'serialization_failure' || failure === 'deadlock' || failure === 'lock_timeout';
}

/**
 * Seconds a client should wait before retrying after this failure (the Retry-After header).
 * @param failure - the transient failure kind.
 * @returns whole seconds for Retry-After (RFC 9110 §10.2.3): 5 for a lost connection, 1 otherwise.
 */
export function retryAfterSeconds(failure: TransientDatabaseFailure): number {
  // A lost or refused connection is an outage or a failover (tens of seconds); the others clear at once.
  return failure === 'connection' ? 5 : 1;
}

export interface TransientRetryOptions {
  /** Runs in total, the first included; default 3. */
  attempts?: number;
  /** Called before each retry, e.g. to count it in a metric. */
  onRetry?: (failure: TransientDatabaseFailure) => void;
}

/**
 * Runs `operation` (one whole transaction, or one statement) again when PostgreSQL rolled it back for a
 * transient reason (deadlock, serialization failure, lock timeout), up to `attempts` runs, after a short
 * random pause that separates the contenders. Only for operations that are safe to run twice once rolled
 * back. A lost connection is not retried here: the outcome is unknown and the server is likely down.
 * @throws the last error, unchanged.
 * @param operation - the whole transaction or statement; run again as a whole.
 * @param options - `attempts` (runs in total, default 3) and `onRetry` (called before each retry).
 * @returns what `operation` resolves on its first successful run.
 */
export async function withTransientRetry<T>(operation: () => Promise<T>, options: TransientRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let run = 1; ; run++) {
    try {
      return await operation();
    } catch (error) {
      const failure = transientDatabaseFailure(error);
      if (run >= attempts || !isRolledBack(failure)) throw error;
      options.onRetry?.(failure!);
      // 5 to 25 ms, times the run: contenders that collided once rarely collide again.
      await new Promise((resolve) => setTimeout(resolve, run * (5 + Math.random() * 20)));
    }
  }
}

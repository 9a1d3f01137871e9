// Brute-force lockout: per account and client IP first, then the whole account (issue 8).
//
// Why two levels: locking a whole account after a few failures lets anyone lock anyone out (lockout as a
// denial-of-service weapon). So a client first exhausts its own budget for that account
// (LOCKOUT_IP_THRESHOLD failures from one IP lock only that account+IP pair) and the whole account is
// locked only after the larger LOCKOUT_THRESHOLD across all IPs, which needs a distributed attacker.
// Lock durations double with each lock inside a window (LOCKOUT_BASE_DURATION up to
// LOCKOUT_MAX_DURATION), and a quiet window resets them. A successful login resets both counters.
//
// An attempt is counted *before* the password is verified, inside a row-locked transaction, so that
// parallel requests can never verify more than the threshold of passwords (Keycloak's counter is racy).
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { exponentialBackoff } from '../shared/backoff.ts';
import { canonicalEmail } from './canonical-email.ts';
import type { LoginThrottle } from './seams.ts';

export interface LockoutPolicy {
  /** Failures on one account from one client IP before that pair locks. */
  accountIpThreshold: number;
  /** Failures on one account from all IPs before the whole account locks. */
  accountThreshold: number;
  windowSeconds: number;
  baseDurationSeconds: number;
  maxDurationSeconds: number;
}

export type LockScope = 'account_ip' | 'account';

/** The counters of one (account, client IP) pair or of the whole account. */
export interface ThrottleRow {
  attempts: number;
  windowStartedAt: Date | null;
  lockCount: number;
  lockedUntil: Date | null;
}

/** What to write back after a decision; undefined leaves a row as it is. */
export interface ThrottleUpdate<T> {
  result: T;
  accountIp?: ThrottleRow;
  account?: ThrottleRow;
}

/**
 * The lockout's port: the persistence it needs, shared by every instance. store/lockout-store.ts
 * implements it on PostgreSQL (structurally: the store does not import auth/; composition.ts, where the
 * two meet, is where the compiler checks that they fit).
 */
export interface LockoutStore {
  /** Runs `decide` on both rows of an attempt, locked, and writes what it returns, atomically. */
  withLockedRows<T>(accountKey: Buffer, clientIp: string, now: Date, decide: (rows: { accountIp: ThrottleRow; account: ThrottleRow }) => ThrottleUpdate<T>): Promise<T>;
  /** Forgets the counters of the pair and of the account (a successful login). */
  reset(accountKey: Buffer, clientIp: string, now: Date): Promise<void>;
  /** Deletes rows that hold no state any more; resolves how many. `windowSeconds` is the lockout window. */
  purge(now: Date, windowSeconds: number): Promise<number>;
}

export type AttemptDecision =
  | { allowed: true }
  | { allowed: false; scope: LockScope; retryAfterSeconds: number; lockedUntil: Date; /** This attempt set the lock. */ newlyLocked: boolean };

/**
 * The lockout key of an email: SHA-256 of its canonical form (auth/canonical-email.ts), the form the user
 * lookup uses too, so every spelling that reaches an account spends that account's budget.
 * @throws TypeError for an address without a canonical form (the core refuses those before any attempt).
 * @param email - an email in any spelling.
 * @returns the 32-byte SHA-256 of its canonical form.
 */
export function accountKeyOf(email: string): Buffer {
  const canonical = canonicalEmail(email);
  if (canonical === undefined) throw new TypeError('accountKeyOf: the email has no canonical form; refuse it before counting an attempt');
  return createHash('sha256').update(canonical, 'utf8').digest();
}

/**
 * min(base * 2^lockCount, max): the length of the next lock.
 * @param lockCount - locks already set inside the current window.
 * @param policy - base and maximum lock durations, in seconds.
 * @returns the lock length in seconds (shared/backoff.ts).
 */
export function lockDurationSeconds(lockCount: number, policy: LockoutPolicy): number {
  return exponentialBackoff(lockCount + 1, policy.baseDurationSeconds, policy.maxDurationSeconds);
}

type RowStep = { row: ThrottleRow; locked: false } | { row: ThrottleRow; locked: true; lockedUntil: Date; newlyLocked: boolean };

/**
 * Counts one attempt on one row; pure.
 * @param previous - the row before this attempt.
 * @param threshold - failures allowed in a window on this row.
 * @param now - the attempt time.
 * @param policy - window and lock durations (seconds).
 * @returns the row after the attempt and whether it is locked (and since when).
 */
export function countAttempt(previous: ThrottleRow, threshold: number, now: Date, policy: LockoutPolicy): RowStep {
  if (previous.lockedUntil && previous.lockedUntil > now) {
    return { row: previous, locked: true, lockedUntil: previous.lockedUntil, newlyLocked: false };
  }
  const windowMs = policy.windowSeconds * 1000;
  const windowExpired = !previous.windowStartedAt || now.getTime() - previous.windowStartedAt.getTime() >= windowMs;
  // A full quiet window forgets both the count and the escalation level.
  const base = windowExpired ? { attempts: 0, windowStartedAt: now, lockCount: 0, lockedUntil: null } : previous;
  const attempts = base.attempts + 1;
  if (attempts <= threshold) return { row: { ...base, attempts }, locked: false };
  const lockedUntil = new Date(now.getTime() + lockDurationSeconds(base.lockCount, policy) * 1000);
  // Counting restarts when the lock ends; coming back within a window of that escalates the next lock.
  return { row: { attempts: 0, windowStartedAt: lockedUntil, lockCount: base.lockCount + 1, lockedUntil }, locked: true, lockedUntil, newlyLocked: true };
}

function lockedDecision(step: Extract<RowStep, { locked: true }>, scope: LockScope, now: Date): ThrottleUpdate<AttemptDecision>['result'] {
  const retryAfterSeconds = Math.max(1, Math.ceil((step.lockedUntil.getTime() - now.getTime()) / 1000));
  return { allowed: false, scope, retryAfterSeconds, lockedUntil: step.lockedUntil, newlyLocked: step.newlyLocked };
}

/**
 * Decides one attempt from both rows; pure. An attempt refused by the pair row is not counted on the account.
 * @param rows - the (account, client IP) row and the whole-account row.
 * @param now - the attempt time.
 * @param policy - thresholds, window and lock durations (seconds).
 * @returns the decision (with retryAfterSeconds when refused) and the rows to write.
 */
export function decideAttempt(rows: { accountIp: ThrottleRow; account: ThrottleRow }, now: Date, policy: LockoutPolicy): ThrottleUpdate<AttemptDecision> {
  const pair = countAttempt(rows.accountIp, policy.accountIpThreshold, now, policy);
  if (pair.locked) return { result: lockedDecision(pair, 'account_ip', now), accountIp: pair.newlyLocked ? pair.row : undefined };
  const account = countAttempt(rows.account, policy.accountThreshold, now, policy);
  if (account.locked) return { result: lockedDecision(account, 'account', now), account: account.newlyLocked ? account.row : undefined };
  return { result: { allowed: true }, accountIp: pair.row, account: account.row };
}

/** The `cause` of an `account_locked` AppError: what was locked, and whether this attempt locked it. */
export class AccountLock {
  constructor(
    readonly scope: LockScope,
    readonly lockedUntil: Date,
    readonly newlyLocked: boolean,
  ) {}
}

/** The PostgreSQL login throttle: the core's LoginThrottle seam plus what tests and operations need. */
export interface PostgresLoginThrottle extends LoginThrottle {
  /** Counts one password attempt before it is verified; a refused attempt must not verify the password. */
  beginAttempt(email: string, clientIp: string, now?: number): Promise<AttemptDecision>;
  /** Deletes rows that hold no state any more (run periodically). */
  purge(): Promise<number>;
}

export interface LoginThrottleOptions {
  store: LockoutStore;
  policy: LockoutPolicy;
  /** Milliseconds since the epoch; attempts carry their own time from the core's clock. */
  now?: () => number;
}

/**
 * Builds the throttle. `assertAllowed` counts the attempt (so `recordFailure` has nothing left to do)
 * and throws `account_locked` with retryAfterSeconds; `recordSuccess` resets the counters.
 * @param options - the LockoutStore port, the policy and the clock (milliseconds).
 * @returns the throttle.
 * @throws TypeError when a threshold is below 1.
 */
export function createLoginThrottle(options: LoginThrottleOptions): PostgresLoginThrottle {
  const { store, policy } = options;
  const clock = options.now ?? Date.now;
  if (policy.accountIpThreshold < 1 || policy.accountThreshold < 1) throw new TypeError('lockout thresholds must be >= 1');
  const beginAttempt = (email: string, clientIp: string, now = clock()) => {
    const at = new Date(now);
    return store.withLockedRows(accountKeyOf(email), clientIp, at, (rows) => decideAttempt(rows, at, policy));
  };
  return {
    beginAttempt,
    async assertAllowed(attempt) {
      const decision = await beginAttempt(attempt.email, attempt.clientIp, attempt.now);
      if (decision.allowed) return;
      throw new AppError('account_locked', {
        retryAfterSeconds: decision.retryAfterSeconds,
        cause: new AccountLock(decision.scope, decision.lockedUntil, decision.newlyLocked),
      });
    },
    // The attempt was counted before the password was checked; nothing is left to record.
    recordFailure: async () => {},
    recordSuccess: (attempt) => store.reset(accountKeyOf(attempt.email), attempt.clientIp, new Date(attempt.now)),
    purge: () => store.purge(new Date(clock()), policy.windowSeconds),
  };
}

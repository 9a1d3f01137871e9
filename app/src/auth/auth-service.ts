// The auth flows: register, log in, refresh, authenticate, log out, change password. HTTP-free, so the
// routes stay thin and every rule lives here once. Events are emitted where each thing happens.
import { withTransientRetry, type TransientDatabaseFailure } from '../store/transient-errors.ts';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { AuthEventEmitter } from '../events/emitter.ts';
import { AppError } from '../errors.ts';
import type { Sql } from '../store/db.ts';
import { createSession, findSession, isSessionActive, revokeSession, revokeUserSessions, rotateRefreshToken } from '../store/sessions.ts';
import { changePasswordHash, findUserByEmail, findUserById, insertUser, rehashPassword, type UserRow } from '../store/users.ts';
import { signAccessToken, verifyAccessToken, type AccessTokenClaims, type AccessTokenOptions } from './access-tokens.ts';
import { normalizePassword, type PasswordHasher } from './passwords.ts';
import { generateRefreshToken, hashRefreshToken, isRefreshTokenShape, successorKey, successorRefreshToken } from './refresh-tokens.ts';
import { AccountLock } from './lockout.ts';
import { canonicalEmail } from './canonical-email.ts';
import { passwordResemblesEmail } from './password-context-rule.ts';
import type { BreachedPasswordCheck, LoginThrottle, RequestContext } from './seams.ts';
import type { KeySet } from './signing-keys.ts';

export interface AuthServiceDeps {
  config: Config;
  sql: Sql;
  keys: KeySet;
  clock: { now(): number };
  events: AuthEventEmitter;
  passwords: PasswordHasher;
  loginThrottle?: LoginThrottle;
  breachedPasswords?: BreachedPasswordCheck;
  /** Called when a transaction that PostgreSQL rolled back (deadlock, serialization failure) is run again. */
  onDatabaseRetry?: (failure: TransientDatabaseFailure) => void;
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface PublicUser {
  id: string;
  email: string;
  created_at: string;
}

export interface Authenticated {
  claims: AccessTokenClaims;
  user: UserRow;
}

/**
 * The public view of a user (the `User` schema of the OpenAPI document).
 * @param user - the row.
 * @returns `id`, `email` and `created_at` (ISO 8601).
 */
export const publicUser = (user: UserRow): PublicUser => ({ id: user.id, email: user.email, created_at: user.createdAt.toISOString() });

const eventContext = (context: RequestContext) => ({ clientIp: context.clientIp, userAgent: context.userAgent, requestId: context.requestId });

/**
 * The auth flows (register, login, refresh with rotation and reuse detection per RFC 9700 §4.14, authenticate,
 * logout, password change), HTTP-free. Each flow throws AppError with a stable code: `invalid_request`,
 * `weak_password`, `breached_password`, `email_taken`, `invalid_credentials`, `account_locked`, `invalid_token`,
 * `token_reused`, `unavailable`.
 * @param deps - config, PostgreSQL, signing keys, clock (milliseconds), events, hasher and the issue-8 seams.
 * @returns the service; built once, by app/src/composition.ts.
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { config, sql, clock, events, passwords } = deps;
  // The refresh (one function call) and the password change (one transaction) are rolled back whole on a
  // deadlock or serialization failure and safe to run again: the lockout store's bounded retry (issue 14).
  const retry = <T>(operation: () => Promise<T>) => withTransientRetry(operation, { onRetry: deps.onDatabaseRetry });
  const tokenOptions: AccessTokenOptions = {
    keys: deps.keys,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  };
  // Successors of refresh tokens are derived, not random (migration 0006): see successorRefreshToken.
  const refreshSuccessorKey = successorKey(deps.keys.signing.privateKey);
  const sessionTimes = () => ({ now: new Date(clock.now()), idleTtlSeconds: config.sessions.refreshIdleTtlSeconds, maxTtlSeconds: config.sessions.maxTtlSeconds });

  const tokenPair = (userId: string, sessionId: string, refreshToken: string): TokenPair => ({
    access_token: signAccessToken(tokenOptions, { userId, sessionId }, clock.now()),
    token_type: 'Bearer',
    expires_in: config.jwt.accessTokenTtlSeconds,
    refresh_token: refreshToken,
  });

  /** The canonical email (auth/canonical-email.ts), or 400 `invalid_request` for an address no account can have. */
  function canonicalEmailOf(email: string): string {
    const canonical = canonicalEmail(email);
    if (canonical === undefined) {
      throw new AppError('invalid_request', { message: 'email: must be printable ASCII after NFKC normalisation (see the threat model, "One canonical email")' });
    }
    return canonical;
  }

  /** Policy, then breach screening; returns the normalised password. */
  async function acceptableNewPassword(password: string, email: string): Promise<string> {
    const normalized = normalizePassword(password);
    if (passwordResemblesEmail(normalized, email)) {
      throw new AppError('weak_password', { message: 'The password must not be or contain the email address or its local part.' });
    }
    if ((await deps.breachedPasswords?.check(normalized)) === 'breached') throw new AppError('breached_password');
    return normalized;
  }

  async function register(input: { email: string; password: string }, context: RequestContext): Promise<PublicUser> {
    const email = canonicalEmailOf(input.email);
    const password = await acceptableNewPassword(input.password, email);
    const passwordHash = await passwords.hash(password);
    const now = new Date(clock.now());
    let user: UserRow;
    try {
      user = await insertUser(sql, { email, passwordHash, now });
    } catch (error) {
      // REGISTRATION_ENUMERATION_SAFE (issue 8): an existing email answers like a new one, after the same
      // hashing work, so registration cannot be used to discover accounts. The id is a throwaway.
      if (!(config.security.registrationEnumerationSafe && error instanceof AppError && error.code === 'email_taken')) throw error;
      events.emit({ type: 'user_registered', outcome: 'failure', reason: 'email_taken', ...eventContext(context) });
      return { id: randomUUID(), email, created_at: now.toISOString() };
    }
    events.emit({ type: 'user_registered', outcome: 'success', userId: user.id, ...eventContext(context) });
    return publicUser(user);
  }

  async function login(input: { email: string; password: string }, context: RequestContext): Promise<TokenPair> {
    const fail = (reason: 'unknown_user' | 'bad_password' | 'locked' | 'password_changed' | 'no_canonical_email', userId?: string) =>
      events.emit({ type: 'login_failed', outcome: 'failure', reason, userId, ...eventContext(context) });
    // One canonical email for the lockout key and the lookup alike (issue 14): never two spellings. A
    // spelling without one is refused before any counting, but still recorded, so a spray of them shows.
    if (canonicalEmail(input.email) === undefined) fail('no_canonical_email');
    const email = canonicalEmailOf(input.email);
    const attempt = { email, clientIp: context.clientIp, now: clock.now() };

    // 1. Lockout and throttling (issue 8) come before any password work.
    try {
      await deps.loginThrottle?.assertAllowed(attempt);
    } catch (error) {
      if (error instanceof AppError && error.code === 'account_locked') {
        // Name the account in the events when it exists (operators look locks up by user); one indexed
        // lookup, and the answer is the same whether the account exists or not.
        const lockedUserId = (await findUserByEmail(sql, email))?.id;
        // The lock itself is recorded once, by the attempt that set it; every refused attempt is a failure.
        if (error.cause instanceof AccountLock && error.cause.newlyLocked) {
          events.emit({ type: 'account_locked', outcome: 'failure', reason: error.cause.scope, userId: lockedUserId, ...eventContext(context) });
        }
        fail('locked', lockedUserId);
      }
      throw error;
    }

    // 2. Verify. An unknown email costs one dummy verification and answers exactly like a wrong password.
    const password = input.password.normalize('NFKC');
    const user = await findUserByEmail(sql, email);
    if (!user) {
      await passwords.verifyDummy(password);
      fail('unknown_user');
      await deps.loginThrottle?.recordFailure(attempt);
      throw new AppError('invalid_credentials');
    }
    if (!(await passwords.verify(user.passwordHash, password))) {
      fail('bad_password', user.id);
      await deps.loginThrottle?.recordFailure({ ...attempt, userId: user.id });
      throw new AppError('invalid_credentials');
    }

    // 3. Upgrade the hash when the configured parameters changed since it was made. Compare-and-swap on the
    //    hash: a password change made meanwhile is never overwritten. A rehash is not a password change
    //    (password_version stays), so a concurrent login of the same password is not refused below.
    if (passwords.needsRehash(user.passwordHash)) {
      await rehashPassword(sql, { userId: user.id, passwordHash: await passwords.hash(password), expectedHash: user.passwordHash });
    }

    // 4. A new session with its first refresh token, only while the verified password is still the account's
    //    (issue 14): a password change between the verification and here must not leave a live session.
    const refreshToken = generateRefreshToken();
    const session = await createSession(sql, { ...sessionTimes(), userId: user.id, verifiedPasswordVersion: user.passwordVersion, tokenHash: hashRefreshToken(refreshToken) });
    if (!session) {
      fail('password_changed', user.id);
      throw new AppError('invalid_credentials');
    }
    // The failure counters reset only once the login has really succeeded.
    await deps.loginThrottle?.recordSuccess({ ...attempt, userId: user.id });
    events.emit({ type: 'login_succeeded', outcome: 'success', userId: user.id, sessionId: session.id, ...eventContext(context) });
    return tokenPair(user.id, session.id, refreshToken);
  }

  async function refresh(refreshToken: string, context: RequestContext): Promise<TokenPair> {
    if (!isRefreshTokenShape(refreshToken)) throw new AppError('invalid_token');
    // The same successor for every send of this token: a graced double send gets the winner's token, so a retry
    // after a rolled-back attempt is safe too.
    const next = successorRefreshToken(refreshSuccessorKey, refreshToken);
    const result = await retry(() =>
      rotateRefreshToken(sql, {
        ...sessionTimes(),
        tokenHash: hashRefreshToken(refreshToken),
        nextTokenHash: hashRefreshToken(next),
        reuseIntervalSeconds: config.sessions.refreshReuseIntervalSeconds,
      }),
    );
    switch (result.kind) {
      case 'rotated':
        // A second use within REFRESH_REUSE_INTERVAL is recorded as such, so a pattern of them stays visible.
        events.emit({
          type: 'token_refreshed',
          outcome: 'success',
          reason: result.graced ? 'reuse_interval' : undefined,
          userId: result.session.userId,
          sessionId: result.session.id,
          ...eventContext(context),
        });
        return tokenPair(result.session.userId, result.session.id, next);
      case 'reused': {
        const ids = { userId: result.session.userId, sessionId: result.session.id, ...eventContext(context) };
        events.emit({ type: 'refresh_token_reused', outcome: 'failure', reason: 'reuse', ...ids });
        if (result.revokedNow) events.emit({ type: 'session_revoked', outcome: 'success', reason: 'reuse', ...ids });
        throw new AppError('token_reused');
      }
      case 'inactive':
      case 'unknown':
        throw new AppError('invalid_token');
    }
  }

  /** Verifies a bearer token and that its session is still active and its user exists. */
  async function authenticate(accessToken: string): Promise<Authenticated> {
    const claims = verifyAccessToken(tokenOptions, accessToken, clock.now());
    const session = await findSession(sql, claims.sid);
    if (!session || session.userId !== claims.sub || !isSessionActive(session, new Date(clock.now()))) {
      throw new AppError('invalid_token', { challenge: { scheme: 'Bearer', error: 'invalid_token' } });
    }
    const user = await findUserById(sql, claims.sub);
    if (!user) throw new AppError('invalid_token', { challenge: { scheme: 'Bearer', error: 'invalid_token' } });
    return { claims, user };
  }

  async function logout(auth: Authenticated, context: RequestContext): Promise<void> {
    if (await revokeSession(sql, { sessionId: auth.claims.sid, reason: 'logout', now: new Date(clock.now()) })) {
      events.emit({ type: 'session_revoked', outcome: 'success', reason: 'logout', userId: auth.user.id, sessionId: auth.claims.sid, ...eventContext(context) });
    }
  }

  async function logoutAll(auth: Authenticated, context: RequestContext): Promise<void> {
    const revoked = await revokeUserSessions(sql, { userId: auth.user.id, reason: 'logout_all', now: new Date(clock.now()) });
    for (const sessionId of revoked) {
      events.emit({ type: 'session_revoked', outcome: 'success', reason: 'logout_all', userId: auth.user.id, sessionId, ...eventContext(context) });
    }
  }

  async function changePassword(auth: Authenticated, input: { currentPassword: string; newPassword: string }, context: RequestContext): Promise<void> {
    if (!(await passwords.verify(auth.user.passwordHash, input.currentPassword.normalize('NFKC')))) throw new AppError('invalid_credentials');
    const passwordHash = await passwords.hash(await acceptableNewPassword(input.newPassword, auth.user.email));
    const now = new Date(clock.now());
    // One transaction (issue 14): a compare-and-swap on the password version whose hash was verified above,
    // the caller's session still active after that (the user row is now locked, so a concurrent change has
    // committed its revocations), and the end of the other sessions. An older change that finishes after a
    // newer one, or a change from a session the newer one revoked, writes nothing.
    // Retried only when PostgreSQL rolled it back (transient); the AppErrors below are final.
    const revoked = await retry(() =>
      sql.begin(async (tx) => {
        if (!(await changePasswordHash(tx, { userId: auth.user.id, passwordHash, now, expectedVersion: auth.user.passwordVersion }))) {
          throw new AppError('invalid_credentials');
        }
        const session = await findSession(tx, auth.claims.sid);
        if (!session || !isSessionActive(session, now)) {
          throw new AppError('invalid_token', { challenge: { scheme: 'Bearer', error: 'invalid_token' } });
        }
        return revokeUserSessions(tx, { userId: auth.user.id, reason: 'password_change', now, keepSessionId: auth.claims.sid });
      }),
    );
    const ids = { userId: auth.user.id, ...eventContext(context) };
    events.emit({ type: 'password_changed', outcome: 'success', sessionId: auth.claims.sid, ...ids });
    for (const sessionId of revoked) events.emit({ type: 'session_revoked', outcome: 'success', reason: 'password_change', sessionId, ...ids });
  }

  return { register, login, refresh, authenticate, logout, logoutAll, changePassword };
}

export type AuthService = ReturnType<typeof createAuthService>;

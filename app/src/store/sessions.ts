// Sessions and their refresh-token families. Times come from the injected clock (not now()) so tests
// control expiry, and every multi-statement write runs in one `sql.begin` transaction.
import type { Queryable } from './db.ts';

export type RevokeReason = 'logout' | 'logout_all' | 'password_change' | 'reuse';

export interface SessionRow {
  id: string;
  userId: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: RevokeReason | null;
}

interface SessionRecord {
  id: string;
  user_id: string;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: RevokeReason | null;
}

const toSession = (row: SessionRecord): SessionRow => ({
  id: row.id,
  userId: row.user_id,
  idleExpiresAt: row.idle_expires_at,
  absoluteExpiresAt: row.absolute_expires_at,
  revokedAt: row.revoked_at,
  revokedReason: row.revoked_reason,
});

export interface SessionTimes {
  now: Date;
  idleTtlSeconds: number;
  maxTtlSeconds: number;
}

const plusSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

/**
 * Creates a session with its first refresh token (given as its SHA-256), in one statement, only while
 * `verifiedPasswordVersion` is still the user's password version (migration 0005). A login verifies the hash
 * it read and then creates its session; a password change in between must win (issue 14), while a rehash by
 * a concurrent login (which keeps the version) must not refuse it. The user row is read here
 * `for share`: a change that already updated the row makes this wait and then re-check the new hash (no
 * row, no session), and a change that comes later waits for this insert and then revokes the session.
 * @returns the session, or undefined when the password version is no longer the verified one.
 * @param sql - the pool or a transaction.
 * @param input - the user, the password version verified at login, the SHA-256 of the first refresh token, and now with the idle and absolute lifetimes (seconds).
 */
export async function createSession(
  sql: Queryable,
  input: SessionTimes & { userId: string; verifiedPasswordVersion: number; tokenHash: Buffer },
): Promise<SessionRow | undefined> {
  const absolute = plusSeconds(input.now, input.maxTtlSeconds);
  const idle = new Date(Math.min(plusSeconds(input.now, input.idleTtlSeconds).getTime(), absolute.getTime()));
  const [row] = await sql<SessionRecord[]>`
    with verified as (
      select id from users where id = ${input.userId} and password_version = ${input.verifiedPasswordVersion} for share
    ), session as (
      insert into sessions (user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at)
      select id, ${input.now}, ${input.now}, ${idle}, ${absolute} from verified
      returning id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason
    ), first_token as (
      insert into refresh_tokens (session_id, token_hash, created_at)
      select id, ${input.tokenHash}, ${input.now} from session
    )
    select * from session`;
  return row && toSession(row);
}

/**
 * Reads one session by id.
 * @param sql - the pool or a transaction.
 * @param id - the session id (UUID).
 * @returns the session, or undefined when there is none.
 */
export async function findSession(sql: Queryable, id: string): Promise<SessionRow | undefined> {
  const [row] = await sql<SessionRecord[]>`
    select id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason from sessions where id = ${id}`;
  return row && toSession(row);
}

/**
 * Whether a session may still be used: not revoked, and `now` before both its idle and its absolute expiry.
 * @param session - the session row.
 * @param now - the current time.
 * @returns true while the session is active.
 */
export function isSessionActive(session: SessionRow, now: Date): boolean {
  return session.revokedAt === null && session.idleExpiresAt > now && session.absoluteExpiresAt > now;
}

export type RotateResult =
  | { kind: 'rotated'; session: SessionRow; /** Within the reuse interval after the token's first use (a benign double send). */ graced: boolean }
  | { kind: 'unknown' }
  | { kind: 'inactive'; session: SessionRow }
  | { kind: 'reused'; session: SessionRow; revokedNow: boolean };

interface RotateRecord extends SessionRecord {
  outcome: 'unknown' | 'inactive' | 'rotated' | 'graced' | 'reused';
  revoked_now: boolean;
  session_id: string;
}

/**
 * Uses a refresh token once and stores its successor, in one round trip: the PostgreSQL function
 * `rotate_refresh_token` (migrations 0004, 0006), which serialises every use of a session's tokens on the
 * session row, so concurrent uses of one token have exactly one winner.
 * A used token presented again is reuse: the whole session is revoked (RFC 9700 section 4.14.2), except
 * within `reuseIntervalSeconds` of the token's first use while its successor is the session's live, unused
 * token: a benign double send (two tabs, a retry), answered `rotated` with `graced` and nothing written, so
 * the caller returns that same successor (`nextTokenHash` must be derived from the presented token, see
 * auth/refresh-tokens.ts successorRefreshToken). `input.now` is raised to the session's last use under the
 * lock, so one session's times never go backwards.
 * @param input - SHA-256 of the presented and of the successor token, now, the idle lifetime and the reuse interval (seconds).
 * @param input.nextTokenHash SHA-256 of the successor derived from the presented token.
 * @param input.reuseIntervalSeconds 0 turns the interval off (every second use is reuse).
 * @param sql - the pool or a transaction.
 * @returns `unknown`, `inactive`, `rotated` (with `graced` for a double send within the interval), or `reused` (with whether this call revoked the session).
 */
export async function rotateRefreshToken(
  sql: Queryable,
  input: SessionTimes & { tokenHash: Buffer; nextTokenHash: Buffer; reuseIntervalSeconds: number },
): Promise<RotateResult> {
  const [row] = await sql<RotateRecord[]>`
    select outcome, revoked_now, session_id as id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason
    from rotate_refresh_token(${input.tokenHash}, ${input.nextTokenHash}, ${input.now}, ${input.idleTtlSeconds}, ${input.reuseIntervalSeconds})`;
  if (!row || row.outcome === 'unknown') return { kind: 'unknown' };
  const session = toSession(row);
  switch (row.outcome) {
    case 'inactive':
      return { kind: 'inactive', session };
    case 'reused':
      return { kind: 'reused', session, revokedNow: row.revoked_now };
    case 'rotated':
    case 'graced':
      return { kind: 'rotated', session, graced: row.outcome === 'graced' };
  }
}

/**
 * Revokes one session; returns false when it was already revoked.
 * @param sql - the pool or a transaction.
 * @param input - the session id, the reason recorded and the time.
 * @returns true when this call revoked it, false when it was already revoked.
 */
export async function revokeSession(sql: Queryable, input: { sessionId: string; reason: RevokeReason; now: Date }): Promise<boolean> {
  const rows = await sql`
    update sessions set revoked_at = ${input.now}, revoked_reason = ${input.reason}
    where id = ${input.sessionId} and revoked_at is null returning id`;
  return rows.length > 0;
}

/**
 * Revokes every active session of a user except `keepSessionId`; returns the revoked ids.
 * @param sql - the pool or a transaction.
 * @param input - the user, the reason, the time and an optional session to keep.
 * @returns the ids of the sessions revoked.
 */
export async function revokeUserSessions(
  sql: Queryable,
  input: { userId: string; reason: RevokeReason; now: Date; keepSessionId?: string },
): Promise<string[]> {
  const keep = input.keepSessionId ?? null;
  const rows = await sql<{ id: string }[]>`
    update sessions set revoked_at = ${input.now}, revoked_reason = ${input.reason}
    where user_id = ${input.userId} and revoked_at is null and (${keep}::uuid is null or id <> ${keep}::uuid)
    returning id`;
  return rows.map((row) => row.id);
}

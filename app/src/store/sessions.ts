// Sessions and their refresh-token families. Times come from the injected clock (not now()) so tests
// control expiry, and every multi-statement write runs in one `sql.begin` transaction.
import type { Queryable, Sql } from './db.ts';

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
 * `verifiedPasswordHash` is still the user's password hash. A login verifies the hash it read and then
 * creates its session; a password change in between must win (issue 14), so the user row is read here
 * `for share`: a change that already updated the row makes this wait and then re-check the new hash (no
 * row, no session), and a change that comes later waits for this insert and then revokes the session.
 * @returns the session, or undefined when the password hash is no longer the verified one.
 */
export async function createSession(
  sql: Queryable,
  input: SessionTimes & { userId: string; verifiedPasswordHash: string; tokenHash: Buffer },
): Promise<SessionRow | undefined> {
  const absolute = plusSeconds(input.now, input.maxTtlSeconds);
  const idle = new Date(Math.min(plusSeconds(input.now, input.idleTtlSeconds).getTime(), absolute.getTime()));
  const [row] = await sql<SessionRecord[]>`
    with verified as (
      select id from users where id = ${input.userId} and password_hash = ${input.verifiedPasswordHash} for share
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

export async function findSession(sql: Queryable, id: string): Promise<SessionRow | undefined> {
  const [row] = await sql<SessionRecord[]>`
    select id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason from sessions where id = ${id}`;
  return row && toSession(row);
}

export function isSessionActive(session: SessionRow, now: Date): boolean {
  return session.revokedAt === null && session.idleExpiresAt > now && session.absoluteExpiresAt > now;
}

export type RotateResult =
  | { kind: 'rotated'; session: SessionRow }
  | { kind: 'unknown' }
  | { kind: 'inactive'; session: SessionRow }
  | { kind: 'reused'; session: SessionRow; revokedNow: boolean };

/**
 * Uses a refresh token once and stores its successor, in one transaction.
 * The conditional `update ... where used_at is null` is the arbiter between concurrent uses: the row
 * lock makes every other transaction wait, re-check and find the token used, so exactly one succeeds.
 * A used token presented again is reuse: the whole session is revoked (RFC 9700 section 4.14.2).
 */
export async function rotateRefreshToken(sql: Sql, input: SessionTimes & { tokenHash: Buffer; nextTokenHash: Buffer }): Promise<RotateResult> {
  try {
    return await claimAndRotate(sql, input);
  } catch (error) {
    if (error instanceof InactiveSession) return { kind: 'inactive', session: error.session };
    throw error;
  }
}

/** Thrown inside the transaction so that the claim on a token of an ended session is rolled back. */
class InactiveSession extends Error {
  constructor(readonly session: SessionRow) {
    super('inactive session');
  }
}

function claimAndRotate(sql: Sql, input: SessionTimes & { tokenHash: Buffer; nextTokenHash: Buffer }): Promise<RotateResult> {
  return sql.begin(async (tx): Promise<RotateResult> => {
    const [claimed] = await tx<{ id: string; session_id: string }[]>`
      update refresh_tokens set used_at = ${input.now}
      where token_hash = ${input.tokenHash} and used_at is null
      returning id, session_id`;
    if (!claimed) {
      const [used] = await tx<{ session_id: string }[]>`select session_id from refresh_tokens where token_hash = ${input.tokenHash}`;
      if (!used) return { kind: 'unknown' };
      const [revoked] = await tx<SessionRecord[]>`
        update sessions set revoked_at = ${input.now}, revoked_reason = 'reuse'
        where id = ${used.session_id} and revoked_at is null
        returning id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason`;
      if (revoked) return { kind: 'reused', session: toSession(revoked), revokedNow: true };
      const session = await findSession(tx, used.session_id);
      if (!session) return { kind: 'unknown' };
      return { kind: 'reused', session, revokedNow: false };
    }
    const [locked] = await tx<SessionRecord[]>`
      select id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason
      from sessions where id = ${claimed.session_id} for update`;
    if (!locked) return { kind: 'unknown' };
    const session = toSession(locked);
    if (!isSessionActive(session, input.now)) throw new InactiveSession(session);
    const idle = new Date(Math.min(plusSeconds(input.now, input.idleTtlSeconds).getTime(), session.absoluteExpiresAt.getTime()));
    const [updated] = await tx<SessionRecord[]>`
      update sessions set last_used_at = ${input.now}, idle_expires_at = ${idle}
      where id = ${session.id}
      returning id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason`;
    await tx`
      insert into refresh_tokens (session_id, parent_id, token_hash, created_at)
      values (${session.id}, ${claimed.id}, ${input.nextTokenHash}, ${input.now})`;
    return { kind: 'rotated', session: updated ? toSession(updated) : session };
  });
}

/** Revokes one session; returns false when it was already revoked. */
export async function revokeSession(sql: Queryable, input: { sessionId: string; reason: RevokeReason; now: Date }): Promise<boolean> {
  const rows = await sql`
    update sessions set revoked_at = ${input.now}, revoked_reason = ${input.reason}
    where id = ${input.sessionId} and revoked_at is null returning id`;
  return rows.length > 0;
}

/** Revokes every active session of a user except `keepSessionId`; returns the revoked ids. */
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

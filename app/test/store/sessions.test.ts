import test from 'ava';
import { hashRefreshToken } from '../../src/auth/refresh-tokens.ts';
import { createSession, revokeSession, revokeUserSessions, rotateRefreshToken } from '../../src/store/sessions.ts';
import { insertUser } from '../../src/store/users.ts';
import { AppError } from '../../src/errors.ts';
import { createSql } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
const NOW = new Date(Date.UTC(2030, 0, 1));
const TIMES = { now: NOW, idleTtlSeconds: 3600, maxTtlSeconds: 7200 };
let counter = 0;
const token = () => hashRefreshToken(`token-${++counter}-${Math.random()}`);

test.before(async () => {
  db = await createTestDatabase();
});

test.after.always(async () => {
  await db?.drop();
});

async function newSession() {
  const user = await insertUser(db.sql, { email: `s${++counter}@example.com`, passwordHash: 'x', now: NOW });
  const first = token();
  const session = (await createSession(db.sql, { ...TIMES, userId: user.id, verifiedPasswordVersion: 1, tokenHash: first }))!;
  return { user, session, first };
}

test('the idle expiry never exceeds the absolute expiry', async (t) => {
  const user = await insertUser(db.sql, { email: 'caps@example.com', passwordHash: 'x', now: NOW });
  const session = await createSession(db.sql, { now: NOW, idleTtlSeconds: 7200, maxTtlSeconds: 3600, userId: user.id, verifiedPasswordVersion: 1, tokenHash: token() });
  t.deepEqual(session?.idleExpiresAt, session?.absoluteExpiresAt);
});

test('rotation outcomes: rotated, reused (revoking once), unknown, inactive', async (t) => {
  const { session, first } = await newSession();
  const second = token();
  t.like(await rotateRefreshToken(db.sql, { ...TIMES, reuseIntervalSeconds: 0, tokenHash: first, nextTokenHash: second }), { kind: 'rotated' });
  t.like(await rotateRefreshToken(db.sql, { ...TIMES, reuseIntervalSeconds: 0, tokenHash: first, nextTokenHash: token() }), { kind: 'reused', revokedNow: true });
  t.like(await rotateRefreshToken(db.sql, { ...TIMES, reuseIntervalSeconds: 0, tokenHash: first, nextTokenHash: token() }), { kind: 'reused', revokedNow: false });
  t.like(await rotateRefreshToken(db.sql, { ...TIMES, reuseIntervalSeconds: 0, tokenHash: second, nextTokenHash: token() }), { kind: 'inactive', session: { id: session.id, revokedReason: 'reuse' } });
  t.like(await rotateRefreshToken(db.sql, { ...TIMES, reuseIntervalSeconds: 0, tokenHash: token(), nextTokenHash: token() }), { kind: 'unknown' });
});

test('a failed rotation on an inactive session stores nothing', async (t) => {
  const { session, first } = await newSession();
  await revokeSession(db.sql, { sessionId: session.id, reason: 'logout', now: NOW });
  const next = token();
  t.like(await rotateRefreshToken(db.sql, { ...TIMES, reuseIntervalSeconds: 0, tokenHash: first, nextTokenHash: next }), { kind: 'inactive' });
  const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from refresh_tokens where token_hash = ${next}`;
  t.is(row!.n, 0);
  const [original] = await db.sql<{ used: boolean }[]>`select used_at is not null as used from refresh_tokens where token_hash = ${first}`;
  t.false(original!.used, 'the transaction rolled back the claim as well');
});

test('revoking all sessions can keep one', async (t) => {
  const { user, session } = await newSession();
  const other = await createSession(db.sql, { ...TIMES, userId: user.id, verifiedPasswordVersion: 1, tokenHash: token() });
  t.deepEqual(await revokeUserSessions(db.sql, { userId: user.id, reason: 'password_change', now: NOW, keepSessionId: session.id }), [other!.id]);
  t.deepEqual(await revokeUserSessions(db.sql, { userId: user.id, reason: 'logout_all', now: NOW }), [session.id]);
  t.false(await revokeSession(db.sql, { sessionId: session.id, reason: 'logout', now: NOW }));
});

test('a duplicate email maps the unique index to email_taken', async (t) => {
  await insertUser(db.sql, { email: 'unique@example.com', passwordHash: 'x', now: NOW });
  const error = await t.throwsAsync(insertUser(db.sql, { email: 'unique@example.com', passwordHash: 'x', now: NOW }), { instanceOf: AppError });
  t.is(error?.code, 'email_taken');
});

test('no session is created once the verified password version is no longer the stored one (a password change)', async (t) => {
  const user = await insertUser(db.sql, { email: `stale${++counter}@example.com`, passwordHash: 'old', now: NOW });
  await db.sql`update users set password_hash = 'new', password_version = 2 where id = ${user.id}`;
  const first = token();
  t.is(await createSession(db.sql, { ...TIMES, userId: user.id, verifiedPasswordVersion: 1, tokenHash: first }), undefined);
  const [rows] = await db.sql<{ sessions: number; tokens: number }[]>`
    select (select count(*)::int from sessions where user_id = ${user.id}) as sessions,
           (select count(*)::int from refresh_tokens where token_hash = ${first}) as tokens`;
  t.deepEqual(rows, { sessions: 0, tokens: 0 });
  t.truthy(await createSession(db.sql, { ...TIMES, userId: user.id, verifiedPasswordVersion: 2, tokenHash: token() }));
});

test('a password change in flight makes session creation wait for it, then refuse', async (t) => {
  const user = await insertUser(db.sql, { email: `inflight${++counter}@example.com`, passwordHash: 'old', now: NOW });
  // One connection each: postgres.js pipelines queries on a busy connection, so a shared pool could queue
  // the observer's query behind the blocked insert.
  const [changer, creator, observer] = [1, 2, 3].map(() => createSql({ url: db.url, poolMax: 1 }));
  t.teardown(() => Promise.all([changer, creator, observer].map((client) => client!.end({ timeout: 5 }))));
  const change = await changer!.reserve();
  await change`begin`;
  await change`update users set password_hash = 'new', password_version = 2 where id = ${user.id}`;
  const creating = createSession(creator!, { ...TIMES, userId: user.id, verifiedPasswordVersion: 1, tokenHash: token() });
  // Without the row lock the insert would not wait: it would see the old hash and finish first.
  let racing = true;
  const blocked = (async () => {
    while (racing) {
      const [row] = await observer!<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into sessions%'`;
      if (row!.n > 0) return 'waiting' as const;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return 'stopped' as const;
  })();
  const first = await Promise.race([creating.then(() => 'finished' as const), blocked]);
  racing = false;
  await blocked;
  await change`commit`;
  change.release();
  t.is(first, 'waiting');
  t.is(await creating, undefined);
});

test('the database refuses inconsistent revocations and bad hashes', async (t) => {
  const { session } = await newSession();
  await t.throwsAsync(db.sql`update sessions set revoked_at = now() where id = ${session.id}`, { message: /check constraint/ });
  await t.throwsAsync(db.sql`update sessions set revoked_at = now(), revoked_reason = 'bored' where id = ${session.id}`, { message: /check constraint/ });
  await t.throwsAsync(db.sql`insert into refresh_tokens (session_id, token_hash, created_at) values (${session.id}, ${Buffer.alloc(5)}, now())`, { message: /check constraint/ });
});

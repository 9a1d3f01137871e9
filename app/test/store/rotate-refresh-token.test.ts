// rotate_refresh_token (migration 0006), called directly with explicit times: the reuse interval is strict at
// 0 whatever the callers' clocks, only the live token's parent is graced, and a graced use answers with the
// one successor derived from the presented token (nothing is inserted or retired).
import test from 'ava';
import { hashRefreshToken } from '../../src/auth/refresh-tokens.ts';
import { createSession, rotateRefreshToken } from '../../src/store/sessions.ts';
import { insertUser } from '../../src/store/users.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});

const T0 = new Date(Date.UTC(2030, 0, 1));
/** The session times `ms` after T0. */
const at = (ms: number) => ({ now: new Date(T0.getTime() + ms), idleTtlSeconds: 3600, maxTtlSeconds: 7200 });
let counter = 0;
const token = () => hashRefreshToken(`rotate-${++counter}-${Math.random()}`);

async function newSession() {
  const user = await insertUser(db.sql, { email: `r${++counter}@example.com`, passwordHash: 'x', now: T0 });
  const first = token();
  const session = (await createSession(db.sql, { ...at(0), userId: user.id, verifiedPasswordVersion: 1, tokenHash: first }))!;
  return { session, first };
}

async function tokens(sessionId: string) {
  return db.sql<{ used: boolean; before_created: boolean }[]>`
    select used_at is not null as used, used_at < created_at as before_created from refresh_tokens where session_id = ${sessionId}`;
}

test('interval 0 is strict: a second use stamped earlier than the first (clock skew, or a later lock holder) is reuse', async (t) => {
  const { first } = await newSession();
  t.like(await rotateRefreshToken(db.sql, { ...at(1), reuseIntervalSeconds: 0, tokenHash: first, nextTokenHash: token() }), { kind: 'rotated' });
  t.like(await rotateRefreshToken(db.sql, { ...at(0), reuseIntervalSeconds: 0, tokenHash: first, nextTokenHash: token() }), { kind: 'reused', revokedNow: true });
});

test('a use stamped earlier than the session last use is recorded at that last use: the times never go backwards', async (t) => {
  const { session, first } = await newSession();
  const second = token();
  await rotateRefreshToken(db.sql, { ...at(5_000), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: second });
  await rotateRefreshToken(db.sql, { ...at(1_000), reuseIntervalSeconds: 30, tokenHash: second, nextTokenHash: token() });
  t.false((await tokens(session.id)).some((row) => row.before_created));
  const [row] = await db.sql<{ last_used_at: Date }[]>`select last_used_at from sessions where id = ${session.id}`;
  t.deepEqual(row!.last_used_at, at(5_000).now);
});

test('only the previous token is graced: a token two or more generations back is reuse inside the interval', async (t) => {
  const { session, first } = await newSession();
  const [t1, t2, t3] = [token(), token(), token()];
  await rotateRefreshToken(db.sql, { ...at(0), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: t1 });
  await rotateRefreshToken(db.sql, { ...at(1_000), reuseIntervalSeconds: 30, tokenHash: t1, nextTokenHash: t2 });
  await rotateRefreshToken(db.sql, { ...at(2_000), reuseIntervalSeconds: 30, tokenHash: t2, nextTokenHash: t3 });
  const replay = await rotateRefreshToken(db.sql, { ...at(10_000), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: token() });
  t.like(replay, { kind: 'reused', revokedNow: true });
  // The owner's never-presented live token was not retired by the replay (it was, with a used_at before its creation).
  t.false((await tokens(session.id)).some((row) => row.before_created));
});

test('a replay of the token before the live token\'s parent, inside the interval, revokes instead of retiring the live token', async (t) => {
  const { session, first } = await newSession();
  const [t1, t2] = [token(), token()];
  await rotateRefreshToken(db.sql, { ...at(0), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: t1 });
  await rotateRefreshToken(db.sql, { ...at(10_000), reuseIntervalSeconds: 30, tokenHash: t1, nextTokenHash: t2 });
  t.like(await rotateRefreshToken(db.sql, { ...at(20_000), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: token() }), { kind: 'reused' });
  const [live] = await db.sql<{ used_at: Date | null }[]>`select used_at from refresh_tokens where token_hash = ${t2}`;
  t.is(live!.used_at, null);
  t.false((await tokens(session.id)).some((row) => row.before_created));
});

test('a graced use must name the one successor: it writes nothing, and another successor answers inactive without revoking', async (t) => {
  const { session, first } = await newSession();
  const t1 = token();
  await rotateRefreshToken(db.sql, { ...at(0), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: t1 });
  const before = await tokens(session.id);
  t.like(await rotateRefreshToken(db.sql, { ...at(5_000), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: t1 }), { kind: 'rotated', graced: true });
  t.deepEqual(await tokens(session.id), before, 'nothing inserted or retired');
  t.like(await rotateRefreshToken(db.sql, { ...at(6_000), reuseIntervalSeconds: 30, tokenHash: first, nextTokenHash: token() }), { kind: 'inactive', session: { revokedAt: null } });
  // The successor still rotates normally.
  t.like(await rotateRefreshToken(db.sql, { ...at(7_000), reuseIntervalSeconds: 30, tokenHash: t1, nextTokenHash: token() }), { kind: 'rotated', graced: false });
});

// The lockout against a real PostgreSQL: atomic counting under concurrency, escalation and reset.
import test from 'ava';
import { AppError } from '../../src/http/errors.ts';
import { AccountLock, accountKeyOf, createLoginThrottle, type LockoutPolicy } from '../../src/auth/lockout.ts';
import { createLockoutStore } from '../../src/store/lockout-store.ts';
import { createTestDatabase } from '../helpers/database.ts';

const policy: LockoutPolicy = { accountIpThreshold: 10, accountThreshold: 20, windowSeconds: 900, baseDurationSeconds: 60, maxDurationSeconds: 900 };

async function setup(t: import('ava').ExecutionContext) {
  const database = await createTestDatabase();
  t.teardown(database.drop);
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const throttle = createLoginThrottle({ store: createLockoutStore(database.sql), policy, now: () => clock.now });
  return { throttle, clock, sql: database.sql };
}

test('50 concurrent attempts from one IP: exactly accountIpThreshold are allowed', async (t) => {
  const { throttle } = await setup(t);
  const decisions = await Promise.all(Array.from({ length: 50 }, () => throttle.beginAttempt('victim@example.com', '198.51.100.1')));
  t.is(decisions.filter((decision) => decision.allowed).length, 10);
  const refused = decisions.filter((decision) => !decision.allowed);
  t.is(refused.length, 40);
  t.is(refused.filter((decision) => decision.newlyLocked).length, 1, 'exactly one attempt sets the lock');
  t.true(refused.every((decision) => decision.scope === 'account_ip' && decision.retryAfterSeconds === 60));
});

test('50 concurrent attempts from 50 IPs: exactly accountThreshold are allowed, then the account is locked', async (t) => {
  const { throttle } = await setup(t);
  const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => throttle.beginAttempt('victim@example.com', `203.0.113.${i + 1}`)));
  t.is(decisions.filter((decision) => decision.allowed).length, 20);
  t.true(decisions.filter((decision) => !decision.allowed).every((decision) => decision.scope === 'account'));
  t.like(await throttle.beginAttempt('VICTIM@example.com', '192.0.2.200'), { allowed: false, scope: 'account' });
});

test('a locked pair does not lock the account for other IPs (lockout is not a DoS weapon)', async (t) => {
  const { throttle } = await setup(t);
  for (let i = 0; i < 11; i++) await throttle.beginAttempt('victim@example.com', '198.51.100.1');
  t.like(await throttle.beginAttempt('victim@example.com', '198.51.100.1'), { allowed: false, scope: 'account_ip' });
  t.like(await throttle.beginAttempt('victim@example.com', '198.51.100.2'), { allowed: true });
});

test('the lock expires, escalates when the attacker comes straight back, and success resets', async (t) => {
  const { throttle, clock, sql } = await setup(t);
  const ip = '198.51.100.7';
  for (let i = 0; i < 10; i++) await throttle.beginAttempt('user@example.com', ip);
  t.like(await throttle.beginAttempt('user@example.com', ip), { allowed: false, retryAfterSeconds: 60 });
  clock.now += 61_000;
  for (let i = 0; i < 10; i++) t.like(await throttle.beginAttempt('user@example.com', ip), { allowed: true });
  t.like(await throttle.beginAttempt('user@example.com', ip), { allowed: false, retryAfterSeconds: 120, newlyLocked: true });
  clock.now += 121_000;
  // 20 counted attempts over two pair locks reach the whole-account threshold.
  t.like(await throttle.beginAttempt('user@example.com', ip), { allowed: false, scope: 'account', newlyLocked: true });

  for (let i = 0; i < 9; i++) await throttle.beginAttempt('other@example.com', ip);
  await throttle.recordSuccess({ email: 'other@example.com', clientIp: ip, now: clock.now, userId: 'unused' });
  const rows = await sql`select 1 from login_throttle where account_key = ${accountKeyOf('other@example.com')}`;
  t.is(rows.length, 0, 'success deletes the counters of the pair and the account');
  for (let i = 0; i < 10; i++) t.like(await throttle.beginAttempt('other@example.com', ip), { allowed: true });
});

test('purge removes only rows without state', async (t) => {
  const { throttle, clock, sql } = await setup(t);
  await throttle.beginAttempt('a@example.com', '198.51.100.1');
  for (let i = 0; i < 11; i++) await throttle.beginAttempt('b@example.com', '198.51.100.2');
  clock.now += 15.5 * 60_000;
  t.is(await throttle.purge(), 3, 'the rows of a@ and the account row of b@ (windows over) go');
  const left = await sql<{ attempts: number }[]>`select attempts from login_throttle`;
  t.is(left.length, 1, 'the locked pair stays until a window after its lock ended');
});

test('assertAllowed throws account_locked with Retry-After and says whether it set the lock', async (t) => {
  const { throttle, clock } = await setup(t);
  const attempt = { email: 'c@example.com', clientIp: '198.51.100.9', now: clock.now };
  for (let i = 0; i < 10; i++) await throttle.assertAllowed(attempt);
  const first = await t.throwsAsync(throttle.assertAllowed(attempt), { instanceOf: AppError });
  t.is(first?.code, 'account_locked');
  t.is(first?.status, 429);
  t.deepEqual(first?.headers, { 'Retry-After': '60' });
  t.like(first?.cause, { scope: 'account_ip', newlyLocked: true });
  const second = await t.throwsAsync(throttle.assertAllowed({ ...attempt, now: clock.now + 30_000 }), { instanceOf: AppError });
  t.deepEqual(second?.headers, { 'Retry-After': '30' });
  t.true(second?.cause instanceof AccountLock);
  t.like(second?.cause, { newlyLocked: false });
});

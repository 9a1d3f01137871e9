// The lockout decision as a pure function: thresholds, escalation, decay.
import test from 'ava';
import { accountKeyOf, countAttempt, decideAttempt, lockDurationSeconds, type LockoutPolicy } from '../../src/auth/lockout.ts';
import { EMPTY_ROW, type ThrottleRow } from '../../src/store/lockout-store.ts';

const policy: LockoutPolicy = { accountIpThreshold: 3, accountThreshold: 5, windowSeconds: 900, baseDurationSeconds: 60, maxDurationSeconds: 900 };
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

test('lock durations double from the base up to the cap', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 5, 40].map((n) => lockDurationSeconds(n, policy)), [60, 120, 240, 480, 900, 900, 900]);
});

test('the attempt after the threshold locks, with Retry-After for the whole lock', (t) => {
  let row: ThrottleRow = EMPTY_ROW;
  for (let i = 1; i <= 3; i++) {
    const step = countAttempt(row, 3, T0, policy);
    t.false(step.locked);
    row = step.row;
  }
  const step = countAttempt(row, 3, T0, policy);
  t.like(step, { locked: true, newlyLocked: true, lockedUntil: at(60) });
  const again = countAttempt(step.row, 3, at(30), policy);
  t.like(again, { locked: true, newlyLocked: false, lockedUntil: at(60) });
});

test('coming back right after a lock escalates the next one; a quiet window forgets it', (t) => {
  const lockedOnce: ThrottleRow = { attempts: 0, windowStartedAt: at(60), lockCount: 1, lockedUntil: at(60) };
  let row = lockedOnce;
  for (let i = 0; i < 3; i++) row = countAttempt(row, 3, at(61), policy).row;
  t.like(countAttempt(row, 3, at(61), policy), { locked: true, lockedUntil: at(61 + 120) });
  // Fifteen quiet minutes after the lock ended: the count and the escalation start again.
  const quiet = countAttempt(lockedOnce, 3, at(60 + 900), policy);
  t.deepEqual(quiet, { locked: false, row: { attempts: 1, windowStartedAt: at(960), lockCount: 0, lockedUntil: null } });
});

test('failures spread over more than a window never lock', (t) => {
  let row: ThrottleRow = EMPTY_ROW;
  for (let minute = 0; minute < 120; minute += 6) {
    const step = countAttempt(row, 3, at(minute * 60), policy);
    t.false(step.locked);
    row = step.row;
  }
});

test('the account+IP pair locks before the account, and then the account is not counted', (t) => {
  const pairFull: ThrottleRow = { attempts: 3, windowStartedAt: T0, lockCount: 0, lockedUntil: null };
  const decision = decideAttempt({ accountIp: pairFull, account: { ...pairFull, attempts: 3 } }, T0, policy);
  t.like(decision.result, { allowed: false, scope: 'account_ip', retryAfterSeconds: 60, newlyLocked: true });
  t.is(decision.account, undefined);
});

test('the whole account locks at the larger threshold even from a fresh IP', (t) => {
  const accountFull: ThrottleRow = { attempts: 5, windowStartedAt: T0, lockCount: 0, lockedUntil: null };
  const decision = decideAttempt({ accountIp: EMPTY_ROW, account: accountFull }, at(10), policy);
  t.like(decision.result, { allowed: false, scope: 'account', retryAfterSeconds: 60 });
  t.is(decision.accountIp, undefined, 'a refused attempt is not counted on the pair');
});

test('an allowed attempt counts on both rows', (t) => {
  const decision = decideAttempt({ accountIp: EMPTY_ROW, account: EMPTY_ROW }, T0, policy);
  t.deepEqual(decision.result, { allowed: true });
  t.is(decision.accountIp?.attempts, 1);
  t.is(decision.account?.attempts, 1);
});

test('every spelling of an email is one account key', (t) => {
  t.deepEqual(accountKeyOf('Alice@Example.COM'), accountKeyOf('alice@example.com'));
  t.deepEqual(accountKeyOf('ａｌｉｃｅ@example.com'), accountKeyOf('alice@example.com'));
  t.notDeepEqual(accountKeyOf('bob@example.com'), accountKeyOf('alice@example.com'));
  // A spelling without a canonical form has no key: the core refuses it before counting (issue 14).
  for (const email of [' alice@example.com', 'al\u0130ce@example.com']) t.throws(() => accountKeyOf(email), { instanceOf: TypeError });
});

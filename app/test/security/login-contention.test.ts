// Issue 14 item 1: many parallel logins of one account. Every statement on login_throttle takes its row
// locks in one order, so PostgreSQL never detects a deadlock and no login answers 500; with wrong
// passwords the lockout still counts every attempt exactly once. Runs on a PostgreSQL of its own so that
// its server log holds nothing but this file's work.
import test from 'ava';
import postgres from 'postgres';
import { createLoginThrottle } from '../../src/auth/lockout.ts';
import { createSql } from '../../src/store/db.ts';
import { createLockoutStore } from '../../src/store/lockout-store.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { registerAndLoginRaw as registerAndLogin, startSecurityApp, type SecurityApp } from '../helpers/test-app.ts';

const PASSWORD = 'a sturdy passphrase 42';
const PARALLEL = 32;
const ROUNDS = 4;
// Nothing locks and nothing is rate-limited: the test is about the row locks, not the limits.
const UNLIMITED = { TRUSTED_PROXY_HOPS: '1', LOCKOUT_IP_THRESHOLD: '10000', LOCKOUT_THRESHOLD: '10000', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' };

let server: PrivatePostgres | undefined;
test.before(async () => {
  server = await startPrivatePostgres();
});
test.after.always(() => server?.remove());

/** What PostgreSQL logged about deadlocks since `offset` (a length of the log). */
function deadlocksLoggedSince(offset: number): string[] {
  return server!.log().slice(offset).split('\n').filter((line) => /deadlock/i.test(line));
}

async function app(t: import('ava').ExecutionContext, env: Record<string, string>): Promise<SecurityApp> {
  // The production pool size, so that as many transactions run at once as in production.
  return startSecurityApp(t, { env, database: { adminUrl: server!.adminUrl, poolMax: 10 } });
}

test('16 workers each counting an attempt and resetting after success, 30 times, on one account and IP: no deadlock, no retry', async (t) => {
  // The store alone, without HTTP and argon2, so the statements overlap as tightly as they can. Before
  // the fix this deadlocked 12 to 18 times in 640 runs, whichever plan the executor picked.
  const database = await createTestDatabase({ adminUrl: server!.adminUrl, poolMax: 10 });
  t.teardown(database.drop);
  for (const plan of ['index order', 'physical order']) {
    if (plan === 'physical order') {
      // Plans that read the heap in physical order (bitmap and sequential scans), as the planner may pick
      // once the table grows: the lock order must come from the statements, not from the plan. The
      // setting applies to the connections opened after it.
      const owner = postgres(database.ownerUrl, { max: 1, onnotice: () => {} });
      await owner.unsafe(`alter database ${database.name} set enable_indexscan = off`);
      await owner.end({ timeout: 5 });
    }
    const sql = createSql({ url: database.url, poolMax: 10 });
    t.teardown(() => sql.end({ timeout: 5 }));
    const retried: string[] = [];
    const store = createLockoutStore(sql, { onRetry: (failure) => retried.push(failure) });
    const throttle = createLoginThrottle({ store, policy: { accountIpThreshold: 100_000, accountThreshold: 100_000, windowSeconds: 900, baseDurationSeconds: 60, maxDurationSeconds: 900 } });
    const logOffset = server!.log().length;
    const attempt = { email: 'contended@example.com', clientIp: '198.51.100.1', userId: 'unused' };
    const failures: unknown[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 30; i++) {
          try {
            t.like(await throttle.beginAttempt(attempt.email, attempt.clientIp), { allowed: true });
            await throttle.recordSuccess({ ...attempt, now: Date.now() });
          } catch (error) {
            failures.push(error);
          }
        }
      }),
    );
    t.deepEqual(failures, [], plan);
    t.deepEqual(retried, [], `${plan}: nothing needed a retry`);
    t.deepEqual(deadlocksLoggedSince(logOffset), [], plan);
  }
});

const login = (target: SecurityApp, email: string, password: string, ip: string) =>
  target.request('POST', '/v1/sessions', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

for (const [name, ipOf] of [
  ['one IP', () => '198.51.100.7'],
  [`${PARALLEL} IPs`, (i: number) => `203.0.113.${i + 1}`],
] as const) {
  test(`${PARALLEL} parallel correct logins of one account from ${name}, ${ROUNDS} rounds: every answer is 200 and no deadlock is logged`, async (t) => {
    const target = await app(t, UNLIMITED);
    await registerAndLogin(target, 'busy@example.com', PASSWORD);
    const logOffset = server!.log().length;
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => login(target, 'busy@example.com', PASSWORD, ipOf(i))));
      statuses.push(...responses.map((response) => response.status));
    }
    t.deepEqual(tally(statuses), { 200: PARALLEL * ROUNDS });
    t.deepEqual(deadlocksLoggedSince(logOffset), []);
    const rows = await target.sql`select 1 from login_throttle`;
    t.is(rows.length, 0, 'the last successful logins reset every counter they touched');
  });
}

test(`${PARALLEL} parallel wrong passwords from one IP, repeated: exactly the per-IP threshold is verified, then the account locks`, async (t) => {
  const target = await app(t, { ...UNLIMITED, LOCKOUT_IP_THRESHOLD: '20', LOCKOUT_THRESHOLD: '50' });
  await registerAndLogin(target, 'target@example.com', PASSWORD);
  const logOffset = server!.log().length;
  // Each round comes from a new IP: 20 verified per IP until the account's 50 are used up.
  const verifiedPerRound = [20, 20, 10, 0];
  for (let round = 0; round < ROUNDS; round++) {
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => login(target, 'target@example.com', 'a wrong passphrase 99', `198.51.100.${round + 10}`)));
    const verified = verifiedPerRound[round]!;
    t.deepEqual(tally(responses.map((response) => response.status)), verified > 0 ? { 401: verified, 429: PARALLEL - verified } : { 429: PARALLEL }, `round ${round}`);
    if (round < 2) {
      const [account] = await target.sql<{ attempts: number }[]>`select attempts from login_throttle where client_ip = '*'`;
      t.is(account?.attempts, 20 * (round + 1), 'the account row counted exactly the verified attempts');
    }
  }
  t.deepEqual(deadlocksLoggedSince(logOffset), []);
});

test(`${PARALLEL} parallel wrong passwords from ${PARALLEL} IPs: exactly the account threshold is verified, then the account locks`, async (t) => {
  const target = await app(t, { ...UNLIMITED, LOCKOUT_IP_THRESHOLD: '5', LOCKOUT_THRESHOLD: '20' });
  await registerAndLogin(target, 'spread@example.com', PASSWORD);
  const logOffset = server!.log().length;
  const responses = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => login(target, 'spread@example.com', 'a wrong passphrase 99', `203.0.113.${i + 1}`)));
  t.deepEqual(tally(responses.map((response) => response.status)), { 401: 20, 429: PARALLEL - 20 });
  t.true(responses.filter((response) => response.status === 429).every((response) => response.json?.error?.code === 'account_locked'));
  const pairs = await target.sql<{ attempts: number }[]>`select attempts from login_throttle where client_ip <> '*'`;
  t.is(pairs.reduce((sum, row) => sum + row.attempts, 0), 20, 'the refused attempts were not counted on their IPs');
  t.deepEqual(deadlocksLoggedSince(logOffset), []);
});

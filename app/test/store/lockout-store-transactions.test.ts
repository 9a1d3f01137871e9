// The lockout store runs its transaction by hand on a reserved connection (BEGIN pipelined with the
// upsert, the UPDATE pipelined with COMMIT: two round trips, issue 15). These tests hold it to what
// sql.begin guaranteed: a failure rolls everything back and hands the connection back outside any
// transaction, and a transaction PostgreSQL rolled back (here: lock_timeout) is run again, boundedly.
import test from 'ava';
import postgres from 'postgres';
import { accountKeyOf } from '../../src/auth/lockout.ts';
import { createSql } from '../../src/store/db.ts';
import { createLockoutStore, EMPTY_ROW } from '../../src/store/lockout-store.ts';
import { createTestDatabase } from '../helpers/database.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

test('a decision that throws rolls the attempt back and leaves no connection inside a transaction', async (t) => {
  const database = await createTestDatabase({ poolMax: 2 });
  t.teardown(database.drop);
  const store = createLockoutStore(database.sql);
  const key = accountKeyOf('rollback@example.com');
  // More failures than the pool has connections: a connection handed back inside a transaction would
  // keep the rows locked, and the attempt after the loop would wait for ever.
  for (let i = 0; i < 5; i++) {
    await t.throwsAsync(store.withLockedRows(key, '198.51.100.1', NOW, () => { throw new TypeError('decision failed'); }), { instanceOf: TypeError });
  }
  t.is((await database.sql`select 1 from login_throttle`).length, 0, 'the rows the upsert created were rolled back');
  const written = await store.withLockedRows(key, '198.51.100.1', NOW, (rows) => ({ result: rows, account: { ...EMPTY_ROW, attempts: 7 }, accountIp: { ...EMPTY_ROW, attempts: 3 } }));
  t.deepEqual(written, { account: EMPTY_ROW, accountIp: EMPTY_ROW });
  const rows = await database.sql<{ clientIp: string; attempts: number }[]>`select client_ip as "clientIp", attempts from login_throttle order by client_ip`;
  t.deepEqual(rows.map((row) => [row.clientIp, row.attempts]), [['*', 7], ['198.51.100.1', 3]]);
  const [idle] = await database.sql<{ count: number }[]>`
    select count(*)::int as count from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`;
  t.is(idle?.count, 0);
});

test('a lock timeout is retried a bounded number of times, then surfaces as 55P03; once the lock is gone it succeeds', async (t) => {
  const database = await createTestDatabase();
  t.teardown(database.drop);
  const owner = postgres(database.ownerUrl, { max: 1, onnotice: () => {} });
  await owner.unsafe(`alter database ${database.name} set lock_timeout = '50ms'`);
  await owner.end({ timeout: 5 });
  const sql = createSql({ url: database.url, poolMax: 2 });
  t.teardown(() => sql.end({ timeout: 5 }));
  const retried: string[] = [];
  const store = createLockoutStore(sql, { onRetry: (failure) => retried.push(failure) });
  const key = accountKeyOf('held@example.com');
  const decide = () => ({ result: 'counted', account: { ...EMPTY_ROW, attempts: 1 }, accountIp: { ...EMPTY_ROW, attempts: 1 } });
  await store.withLockedRows(key, '198.51.100.2', NOW, decide);

  const holder = await sql.reserve();
  await holder`begin`;
  await holder`select 1 from login_throttle where account_key = ${key} and client_ip = '*' for update`;
  const error = await t.throwsAsync(store.withLockedRows(key, '198.51.100.2', NOW, decide));
  t.is((error as { code?: string }).code, '55P03');
  t.deepEqual(retried, ['lock_timeout', 'lock_timeout'], 'three runs in all');
  await holder`rollback`;
  holder.release();
  t.is(await store.withLockedRows(key, '198.51.100.2', NOW, decide), 'counted');
});

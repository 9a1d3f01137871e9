// Issue 14 item 1: the one classifier of transient PostgreSQL failures, and the bounded retry of
// transactions that PostgreSQL rolled back. Errors are the real classes: postgres.js 3.4's PostgresError
// with PostgreSQL 15's SQLSTATEs, and a real refused connection.
import test from 'ava';
import postgres from 'postgres';
import { createSql } from '../../src/store/db.ts';
import { connectionClosed, isRolledBack, transientDatabaseFailure, withTransientRetry } from '../../src/store/transient-errors.ts';

const pgError = (code: string) => new postgres.PostgresError({ code, message: `sqlstate ${code}` } as never);

const table: Array<[string, unknown, ReturnType<typeof transientDatabaseFailure>]> = [
  ['40001 serialization_failure', pgError('40001'), 'serialization_failure'],
  ['40P01 deadlock_detected', pgError('40P01'), 'deadlock'],
  ['55P03 lock_not_available', pgError('55P03'), 'lock_timeout'],
  ['57P01 admin_shutdown', pgError('57P01'), 'connection'],
  ['57P03 cannot_connect_now', pgError('57P03'), 'connection'],
  ['57P05 idle_session_timeout', pgError('57P05'), 'connection'],
  ['53300 too_many_connections', pgError('53300'), 'connection'],
  ['08006 connection_failure', pgError('08006'), 'connection'],
  ['postgres.js CONNECTION_CLOSED', Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }), 'connection'],
  // Node's socket and lookup errors (Node docs: Errors, Common system errors; dns module).
  ['ECONNRESET', Object.assign(new Error('econnreset'), { code: 'ECONNRESET' }), 'connection'],
  ['ETIMEDOUT', Object.assign(new Error('etimedout'), { code: 'ETIMEDOUT' }), 'connection'],
  ['EHOSTUNREACH', Object.assign(new Error('ehostunreach'), { code: 'EHOSTUNREACH' }), 'connection'],
  ['ENETUNREACH', Object.assign(new Error('enetunreach'), { code: 'ENETUNREACH' }), 'connection'],
  ['ENETDOWN', Object.assign(new Error('enetdown'), { code: 'ENETDOWN' }), 'connection'],
  ['ENOTFOUND', Object.assign(new Error('enotfound'), { code: 'ENOTFOUND' }), 'connection'],
  ['EAI_AGAIN', Object.assign(new Error('eai_again'), { code: 'EAI_AGAIN' }), 'connection'],
  ['ECONNREFUSED on every address', new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), Object.assign(new Error('b'), { code: 'ECONNREFUSED' })]), 'connection'],
  ['23505 unique_violation', pgError('23505'), undefined],
  ['22P02 invalid_text_representation', pgError('22P02'), undefined],
  ['42P01 undefined_table', pgError('42P01'), undefined],
  ['a programming error', new TypeError('x is undefined'), undefined],
  ['not an error', 'CONNECTION_CLOSED', undefined],
];

for (const [name, error, expected] of table) {
  test(`classifies ${name}`, (t) => {
    t.is(transientDatabaseFailure(error), expected);
  });
}

test('a refused connection from postgres.js is a connection failure, not retried', async (t) => {
  // Port 1 on loopback: nothing listens there.
  const sql = createSql({ url: 'postgres://nobody:nothing@127.0.0.1:1/none' });
  t.teardown(() => sql.end({ timeout: 1 }));
  let runs = 0;
  const error = await t.throwsAsync(withTransientRetry(() => (runs++, sql`select 1`)));
  t.is(transientDatabaseFailure(error), 'connection');
  t.false(isRolledBack('connection'));
  t.is(runs, 1, 'the outcome of a lost statement is unknown, so it is not run again');
});

test('a rolled-back transaction is run again, at most `attempts` times, and each retry is reported', async (t) => {
  const retried: string[] = [];
  let runs = 0;
  t.is(await withTransientRetry(async () => (++runs < 3 ? Promise.reject(pgError('40P01')) : 'done'), { onRetry: (kind) => retried.push(kind) }), 'done');
  t.deepEqual(retried, ['deadlock', 'deadlock']);
  runs = 0;
  const error = await t.throwsAsync(withTransientRetry(() => (runs++, Promise.reject(pgError('40001'))), { attempts: 2 }));
  t.is((error as { code?: string }).code, '40001');
  t.is(runs, 2);
  runs = 0;
  await t.throwsAsync(withTransientRetry(() => (runs++, Promise.reject(pgError('23505')))));
  t.is(runs, 1, 'a permanent error is never retried');
});

test('connectionClosed: postgres.js connection and socket errors, never a PostgreSQL error', (t) => {
  const withSeverity = (code: string, severity: string) => new postgres.PostgresError({ code, severity, message: `sqlstate ${code}` } as never);
  t.true(connectionClosed(Object.assign(new Error('closed'), { code: 'CONNECTION_CLOSED' })));
  t.true(connectionClosed(Object.assign(new Error('reset'), { code: 'ECONNRESET' })));
  t.false(connectionClosed(withSeverity('57P01', 'FATAL')), 'sent before the server closes; or stale, on a live connection');
  t.false(connectionClosed(withSeverity('40P01', 'ERROR')));
  t.false(connectionClosed(new TypeError('x is undefined')));
});

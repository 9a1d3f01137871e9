// The operators' report on a seeded data set (with every row stored twice, as a retry would), through
// the library, the command function and the real CLI process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { Registry } from 'prom-client';
import type { AuthEvent } from '../../src/events/auth-event.ts';
import { bindAuthReportQuery, formatAuthReport, runAuthReport } from '../../src/events/clickhouse-auth-report.ts';
import { ClickHouseSink } from '../../src/events/clickhouse-sink.ts';
import { authReportCommand, parseAuthReportArgs } from '../../src/ops/auth-report.ts';
import { authEvent } from './auth-event-fixtures.ts';
import { createClickHouseTestDatabase, type ClickHouseTestDatabase } from './clickhouse-test-database.ts';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const at = (iso: string) => Date.parse(iso);
const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z') };

function seed(): AuthEvent[] {
  const failed = (userId: string | undefined, clientIp: string, reason: string, time: number) =>
    authEvent({ type: 'login_failed', outcome: 'failure', reason, userId, clientIp, time, sessionId: undefined });
  return [
    authEvent({ userId: ALICE, clientIp: '198.51.100.1', time: at('2026-03-01T08:00:00.001Z') }),
    authEvent({ userId: BOB, clientIp: '198.51.100.1', time: at('2026-03-01T08:00:00.002Z') }),
    authEvent({ userId: ALICE, clientIp: '198.51.100.1', time: at('2026-03-02T08:00:00Z') }),
    ...[1, 2, 3, 4].map((minute) => failed(ALICE, '203.0.113.9', 'bad_password', at(`2026-03-01T09:0${minute}:00Z`))),
    failed(BOB, '203.0.113.9', 'bad_password', at('2026-03-01T09:05:00Z')),
    failed(ALICE, '198.51.100.1', 'bad_password', at('2026-03-01T09:06:00Z')),
    failed(undefined, '203.0.113.50', 'unknown_user', at('2026-03-01T10:00:00Z')),
    failed(undefined, '203.0.113.50', 'unknown_user', at('2026-03-01T10:00:01Z')),
    failed(ALICE, '203.0.113.9', 'locked', at('2026-03-01T09:07:00Z')),
    authEvent({ type: 'account_locked', outcome: 'failure', reason: 'too_many_failures', userId: ALICE, clientIp: '203.0.113.9', time: at('2026-03-01T09:06:30.250Z') }),
    authEvent({ type: 'refresh_token_reused', outcome: 'failure', reason: 'reuse', userId: BOB, sessionId: '00000000-0000-4000-8000-0000000000b1', clientIp: '192.0.2.4', userAgent: 'curl/8', time: at('2026-03-02T11:00:00Z') }),
    authEvent({ type: 'user_registered', userId: ALICE, time: at('2026-03-01T07:00:00Z') }),
    authEvent({ type: 'user_registered', userId: BOB, time: at('2026-03-01T07:30:00Z') }),
    authEvent({ type: 'user_registered', time: at('2026-03-02T23:59:59.999Z') }),
    // Outside [from, to): just before, and exactly at the exclusive end.
    failed(ALICE, '203.0.113.9', 'bad_password', at('2026-02-28T23:59:59.999Z')),
    authEvent({ type: 'user_registered', time: at('2026-03-03T00:00:00Z') }),
  ];
}

async function seeded(t: import('ava').ExecutionContext): Promise<ClickHouseTestDatabase> {
  const db = await createClickHouseTestDatabase(t);
  const sink = new ClickHouseSink({ client: db.client, registry: new Registry(), batchSize: 100 });
  for (const event of seed()) sink.emit(event);
  await sink.close(5000);
  // Every event stored twice, as after retried inserts: the report must not double-count.
  await db.client.command({ query: 'INSERT INTO auth_events SELECT * FROM auth_events' });
  return db;
}

const expectedSections = {
  logins_by_outcome: [
    { outcome: 'success', reason: '', events: 3 },
    { outcome: 'failure', reason: 'bad_password', events: 6 },
    { outcome: 'failure', reason: 'unknown_user', events: 2 },
    { outcome: 'failure', reason: 'locked', events: 1 },
  ],
  top_failing_ips: [
    { client_ip: '203.0.113.9', failures: 6, accounts: 2, last_seen: '2026-03-01 09:07:00' },
    { client_ip: '203.0.113.50', failures: 2, accounts: 0, last_seen: '2026-03-01 10:00:01' },
    { client_ip: '198.51.100.1', failures: 1, accounts: 1, last_seen: '2026-03-01 09:06:00' },
  ],
  top_failing_accounts: [
    { user_id: ALICE, failures: 6, ips: 2, last_seen: '2026-03-01 09:07:00' },
    { user_id: BOB, failures: 1, ips: 1, last_seen: '2026-03-01 09:05:00' },
  ],
  lockouts: [{ time: '2026-03-01 09:06:30', user_id: ALICE, client_ip: '203.0.113.9', reason: 'too_many_failures' }],
  refresh_token_reuse: [{ time: '2026-03-02 11:00:00', user_id: BOB, session_id: '00000000-0000-4000-8000-0000000000b1', client_ip: '192.0.2.4', user_agent: 'curl/8' }],
  registrations: [{ day: '2026-03-01', registrations: 2 }, { day: '2026-03-02', registrations: 1 }],
};

test('the report counts each seeded event once and respects the window', async (t) => {
  const db = await seeded(t);
  const report = await runAuthReport(db.client, window);
  t.deepEqual(report.sections, expectedSections);
  t.is(report.from, '2026-03-01T00:00:00.000Z');
});

test('the text output is readable and complete', async (t) => {
  const db = await seeded(t);
  const text = formatAuthReport(await runAuthReport(db.client, window, { limit: 2 }));
  t.log(text);
  const lines = text.split('\n');
  t.is(lines[0], 'Auth report for 2026-03-01T00:00:00.000Z to 2026-03-03T00:00:00.000Z (UTC, events deduplicated by id)');
  t.true(lines.includes('Logins by outcome'));
  t.true(lines.includes('  outcome  reason        events'));
  t.true(lines.includes('  success  -                  3'));
  t.true(lines.includes('  failure  bad_password       6'));
  t.true(lines.includes('New registrations (total 3)'));
  t.true(lines.some((line) => /^ {2}203\.0\.113\.9 +6 +2 +2026-03-01 09:07:00$/.test(line)));
  // --limit 2 cuts the IP table to two rows.
  t.false(text.includes('198.51.100.1  '));
  t.true(lines.includes('Refresh-token reuse incidents'));
});

test('the command reads ClickHouse settings from the env and prints JSON with --json', async (t) => {
  const db = await seeded(t);
  const env = { CLICKHOUSE_URL: db.url, CLICKHOUSE_USER: 'default', CLICKHOUSE_DATABASE: db.database, DATABASE_URL: 'postgres://unused@127.0.0.1/unused' };
  const { output } = await authReportCommand(['--from', '2026-03-01T00:00:00Z', '--to', '2026-03-03T00:00:00Z', '--json'], env);
  t.deepEqual(JSON.parse(output).sections, expectedSections);
});

test('the CLI process prints the report and exits 0, and 2 on bad arguments', async (t) => {
  const db = await seeded(t);
  const cli = fileURLToPath(new URL('../../src/ops/auth-report.ts', import.meta.url));
  const env = { ...process.env, CLICKHOUSE_URL: db.url, CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: '', CLICKHOUSE_DATABASE: db.database, DATABASE_URL: 'postgres://unused@127.0.0.1/unused' };
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['--import=tsx', cli, '--from', '2026-03-01', '--to', '2026-03-03'], { env });
  t.true(stdout.includes('Top failing accounts'));
  t.true(stdout.includes(ALICE));
  const failure = await t.throwsAsync(run(process.execPath, ['--import=tsx', cli, '--since', 'yesterday'], { env }));
  t.is((failure as unknown as { code: number }).code, 2);
  t.regex((failure as unknown as { stderr: string }).stderr, /--since: expected a duration/);
});

const now = new Date('2026-05-10T12:00:00Z');
test('arguments: --since, --from/--to, and the errors', (t) => {
  t.deepEqual(parseAuthReportArgs(['--since', '24h'], now), { from: new Date('2026-05-09T12:00:00Z'), to: now, limit: 10, json: false });
  t.deepEqual(parseAuthReportArgs([], now).from, new Date('2026-05-09T12:00:00Z'));
  t.deepEqual(parseAuthReportArgs(['--from', '2026-05-01', '--limit', '3', '--json'], now), { from: new Date('2026-05-01T00:00:00Z'), to: now, limit: 3, json: true });
  for (const bad of [['--since', '1x'], ['--since', '1h', '--from', '2026-01-01'], ['--from', '01/02/2026'], ['--from', '2026-05-02', '--to', '2026-05-01'], ['--limit', '0'], ['--nope']]) {
    t.is(t.throws(() => parseAuthReportArgs(bad, now))?.name, 'Error', bad.join(' '));
    t.is((t.throws(() => parseAuthReportArgs(bad, now)) as { code?: string }).code, 'invalid_arguments');
  }
});

test('placeholders become numeric literals; an unknown one is an error', (t) => {
  t.is(
    bindAuthReportQuery('WHERE t >= {from:DateTime} AND t < {to:DateTime} LIMIT {limit:UInt32}', window, 5),
    'WHERE t >= toDateTime(1772323200) AND t < toDateTime(1772496000) LIMIT 5',
  );
  t.throws(() => bindAuthReportQuery('{user:String}', window, 5), { instanceOf: TypeError });
});

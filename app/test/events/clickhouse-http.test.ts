// End to end: the real app (composeApp, as main.ts wires it) on a real PostgreSQL, emitting
// through the ClickHouse sink into a real ClickHouse. Every event type is produced by HTTP calls and
// read back; batching is measured; an unreachable ClickHouse never fails a login.
import test, { type ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/index.ts';
import { AUTH_EVENT_TYPES, type AuthEvent, type EventSink } from '../../src/events/auth-event.ts';
import { createClickHouseEvents } from '../../src/events/clickhouse-events.ts';
import { ClickHouseSink } from '../../src/events/clickhouse-sink.ts';
import { createEventEmitter } from '../../src/events/emitter.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { FAST_ARGON2_ENV, PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { createClickHouseTestDatabase } from './clickhouse-test-database.ts';
import { histogram, metricValue, reservePort, startTcpProxy, waitUntil } from './sink-test-helpers.ts';

const ENV = { ...FAST_ARGON2_ENV, LOCKOUT_IP_THRESHOLD: '3', LOCKOUT_THRESHOLD: '3', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_BURST: '100000', TRUSTED_PROXY_HOPS: '1',
  // The reuse step replays a rotated token at once: strict detection, so it yields refresh_token_reused.
  REFRESH_REUSE_INTERVAL: '0' };

/** The app with `sink` behind the emitter; `emitted` records every event the sink was given. */
async function appWithSink(t: ExecutionContext, sink: EventSink, env: Record<string, string> = {}, deps = {}) {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const emitted: AuthEvent[] = [];
  const recording: EventSink = { emit: (event) => (emitted.push(event), sink.emit(event)), close: (ms) => sink.close(ms) };
  const clock = { now: () => Date.now() };
  const events = createEventEmitter({ sink: recording, clock, serviceVersion: 'e2e', environment: 'test' });
  // HIBP is on and its API unreachable (fail open), which yields breached_password_check_failed.
  const unreachable = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
  const app = await startTestApp(database, { env: { HIBP_ENABLED: 'true', ...ENV, ...env }, deps: { events, clock, fetch: unreachable, ...deps } });
  t.teardown(() => app.close());
  return { app, emitted };
}

const UA = `e2e-agent/${'x'.repeat(1000)}`;
const headers = { 'user-agent': UA, 'x-forwarded-for': '198.51.100.23' };
const post = (app: TestApp, path: string, json: unknown, token?: string) => app.request('POST', path, { json, token, headers });
const login = async (app: TestApp, email: string) => (await post(app, '/v1/sessions', { email, password: PASSWORD })).body as { access_token: string; refresh_token: string };

/** Drives the API through every event type; returns the secrets it saw, to prove none is stored. */
async function everyEventType(app: TestApp): Promise<string[]> {
  const email = 'alice@example.com';
  t_assert((await post(app, '/v1/users', { email, password: PASSWORD })).status === 201, 'register');
  const first = await login(app, email);
  const refreshed = (await post(app, '/v1/tokens/refresh', { refresh_token: first.refresh_token })).body as { refresh_token: string };
  t_assert((await post(app, '/v1/tokens/refresh', { refresh_token: first.refresh_token })).status === 401, 'reuse');
  const second = await login(app, email);
  t_assert((await app.request('DELETE', '/v1/sessions/current', { token: second.access_token, headers })).status === 204, 'logout');
  const third = await login(app, email);
  await login(app, email);
  t_assert((await app.request('DELETE', '/v1/sessions', { token: third.access_token, headers })).status === 204, 'logout all');
  const fifth = await login(app, email);
  await login(app, email);
  const newPassword = 'another long passphrase 99';
  t_assert((await post(app, '/v1/me/password', { current_password: PASSWORD, new_password: newPassword }, fifth.access_token)).status === 204, 'password');
  t_assert((await post(app, '/v1/sessions', { email: 'nobody@example.com', password: PASSWORD })).status === 401, 'unknown');
  for (let attempt = 0; attempt < 4; attempt += 1) await post(app, '/v1/sessions', { email, password: 'wrong but long password' });
  return [PASSWORD, newPassword, 'wrong but long password', first.refresh_token, first.access_token, refreshed.refresh_token, fifth.access_token];
}

function t_assert(condition: boolean, step: string): void {
  if (!condition) throw new Error(`API step failed: ${step}`);
}

test('every event type goes through the HTTP API into ClickHouse and is read back, with no secret', async (t) => {
  const ch = await createClickHouseTestDatabase(t);
  const registry = new Registry();
  const sink = new ClickHouseSink({ client: ch.client, registry, batchSize: 5, flushIntervalMs: 60_000 });
  const { app, emitted } = await appWithSink(t, sink);
  const secrets = await everyEventType(app);
  await sink.close(5000);

  const rows = await ch.rows<Record<string, string>>('SELECT *, toString(event_id) AS id FROM auth_events');
  t.deepEqual(rows.map((row) => row.id).sort(), emitted.map((event) => event.id).sort(), 'every emitted event is stored once');
  t.deepEqual([...new Set(rows.map((row) => row.event_type))].sort(), [...AUTH_EVENT_TYPES].sort());
  const kinds = new Set(rows.map((row) => `${row.event_type}/${row.outcome}/${row.reason}`));
  for (const kind of [
    'user_registered/success/', 'login_succeeded/success/', 'token_refreshed/success/', 'refresh_token_reused/failure/reuse',
    'session_revoked/success/reuse', 'session_revoked/success/logout', 'session_revoked/success/logout_all',
    'session_revoked/success/password_change', 'password_changed/success/', 'login_failed/failure/unknown_user',
    'login_failed/failure/bad_password', 'login_failed/failure/locked',
  ]) t.true(kinds.has(kind), kind);
  const login = rows.find((row) => row.event_type === 'login_succeeded');
  t.is(login?.client_ip, '198.51.100.23', 'client IP as trusted through one proxy hop');
  t.is(login?.user_agent?.length, 256);
  t.truthy(login?.request_id);
  t.truthy(login?.user_id);
  t.like(login, { service_version: 'e2e', environment: 'test' });
  const stored = JSON.stringify(rows);
  for (const secret of secrets) t.false(stored.includes(secret));

  // Batching: requests are sequential and the interval is long, so inserts are exactly ceil(N / 5).
  const batches = await histogram(registry, 'auth_events_insert_batch_size');
  t.log(`${emitted.length} events through the API at batch size 5: ${batches.count} inserts`);
  t.is(batches.count, Math.ceil(emitted.length / 5));
  t.is(batches.sum, emitted.length);
});

test('ClickHouse unreachable at start: logins succeed, /readyz stays 200 (degraded), events arrive once it is back', async (t) => {
  const ch = await createClickHouseTestDatabase(t, { migrate: false });
  const port = await reservePort();
  const env = { CLICKHOUSE_URL: `http://127.0.0.1:${port}`, CLICKHOUSE_USER: 'default', CLICKHOUSE_DATABASE: ch.database, EVENTS_BATCH_SIZE: '10', EVENTS_FLUSH_INTERVAL_MS: '50', EVENTS_QUEUE_CAPACITY: '1000' };
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://unused@127.0.0.1/unused', ...env });
  const registry = new Registry();
  const clickhouse = createClickHouseEvents(config, { logger: createLogger({ level: 'silent' }), registry, migrationRetry: { initialDelayMs: 20, maxDelayMs: 200 } });
  if (!clickhouse) throw new Error('ClickHouse events should be configured');
  const migrated = clickhouse.migrateInBackground();
  const { app, emitted } = await appWithSink(t, clickhouse, env, { readiness: { postgres: async () => true, clickhouse: clickhouse.ping } });
  t.teardown(() => clickhouse.close(1000));

  t.is((await post(app, '/v1/users', { email: 'bob@example.com', password: PASSWORD })).status, 201);
  for (let index = 0; index < 5; index += 1) t.is((await post(app, '/v1/sessions', { email: 'bob@example.com', password: PASSWORD })).status, 200);
  const ready = await app.request<{ checks: Record<string, string> }>('GET', '/readyz');
  t.is(ready.status, 200);
  t.is(ready.body.checks.clickhouse, 'degraded');
  t.is(await metricValue(registry, 'auth_events_written_total'), 0);
  t.is(clickhouse.sink.depth, emitted.length);

  await startTcpProxy(t, port, new URL(ch.url));
  const result = await migrated;
  t.deepEqual(result?.apply.map((m) => m.version), ['0001']);
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === emitted.length, 'delivery');
  const ids = (await ch.rows<{ id: string }>('SELECT toString(event_id) AS id FROM auth_events')).map((row) => row.id);
  t.deepEqual(ids.sort(), emitted.map((event) => event.id).sort());
  t.is(await metricValue(registry, 'auth_events_dropped_total'), 0);
  t.is((await app.request<{ checks: Record<string, string> }>('GET', '/readyz')).body.checks.clickhouse, 'ok');
});

// The ClickHouse sink against the real server: batching, fidelity, outage and recovery, capacity,
// shutdown. Each test has its own database and registry.
import test from 'ava';
import { Registry } from 'prom-client';
import { migrateClickHouse } from '../../src/events/clickhouse-migrations.ts';
import { ClickHouseSink, type ClickHouseSinkOptions } from '../../src/events/clickhouse-sink.ts';
import { authEvent, authEvents } from './auth-event-fixtures.ts';
import { createClickHouseTestDatabase } from './clickhouse-test-database.ts';
import { histogram, metricValue, reservePort, startTcpProxy, waitUntil } from './sink-test-helpers.ts';

function sinkFor(t: import('ava').ExecutionContext, options: Omit<ClickHouseSinkOptions, 'registry'>) {
  const registry = new Registry();
  const sink = new ClickHouseSink({ flushIntervalMs: 60_000, retry: { initialDelayMs: 10, maxDelayMs: 50 }, ...options, registry });
  t.teardown(() => sink.close(1000));
  return { sink, registry };
}

const count = async (rows: <T>(q: string) => Promise<T[]>, where = '1') =>
  Number((await rows<{ n: string }>(`SELECT uniqExact(event_id) AS n FROM auth_events WHERE ${where}`))[0]?.n);

test('1000 events at batch size 100 are exactly 10 inserts of 100', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink, registry } = sinkFor(t, { client: db.client, batchSize: 100 });
  for (const event of authEvents(1000)) sink.emit(event);
  await sink.flush();
  t.deepEqual(await histogram(registry, 'auth_events_insert_batch_size'), { count: 10, sum: 1000 });
  t.is(await metricValue(registry, 'auth_events_written_total'), 1000);
  t.is(await count(db.rows), 1000);
  t.is((await db.rows<{ n: string }>('SELECT count() AS n FROM auth_events'))[0]?.n, '1000');
});

test('events emitted across event-loop turns still go in full batches; the rest on the interval', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink, registry } = sinkFor(t, { client: db.client, batchSize: 50, flushIntervalMs: 25 });
  const events = authEvents(1234);
  for (let index = 0; index < events.length; index += 7) {
    for (const event of events.slice(index, index + 7)) sink.emit(event);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === 1234, 'all written');
  const batches = await histogram(registry, 'auth_events_insert_batch_size');
  t.log(`1234 events, batch size 50: ${batches.count} inserts, mean ${(batches.sum / batches.count).toFixed(1)} events per insert`);
  t.true(batches.count >= Math.ceil(1234 / 50));
  // Full batches while events keep coming; the interval only adds the odd partial one.
  t.true(batches.count <= Math.ceil(1234 / 50) + 3);
  t.is(await count(db.rows), 1234);
});

test('a partial batch is sent by the interval timer', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink, registry } = sinkFor(t, { client: db.client, batchSize: 100, flushIntervalMs: 20 });
  for (const event of authEvents(3)) sink.emit(event);
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === 3, 'interval flush');
  t.deepEqual(await histogram(registry, 'auth_events_insert_batch_size'), { count: 1, sum: 3 });
  t.is(await count(db.rows), 3);
});

test('a row keeps every field, milliseconds and a bounded user agent, and nothing else', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink } = sinkFor(t, { client: db.client, batchSize: 10 });
  const longAgent = '🦊'.repeat(300);
  const event = authEvent({ time: Date.UTC(2026, 1, 3, 4, 5, 6, 789), type: 'login_failed', outcome: 'failure', reason: 'bad_password', userAgent: longAgent });
  // A careless caller adding secrets must not get them stored.
  sink.emit({ ...event, password: 'hunter2-hunter2', refreshToken: 'secret-token' } as typeof event);
  await sink.flush();
  const [row] = await db.rows<Record<string, string | number>>(
    'SELECT *, toUnixTimestamp(event_time) * 1000 + event_time_ms AS time_ms FROM auth_events',
  );
  t.truthy(row);
  t.is(Number(row?.time_ms), event.time);
  t.is(row?.event_time, '2026-02-03 04:05:06');
  t.like(row, {
    event_id: event.id, event_type: 'login_failed', outcome: 'failure', reason: 'bad_password', user_id: event.userId,
    session_id: event.sessionId, client_ip: '203.0.113.7', request_id: event.requestId, service_version: 'test', environment: 'test',
  });
  t.is(Array.from(String(row?.user_agent)).length, 256);
  const columns = await db.rows<{ name: string }>("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'auth_events'");
  t.false(columns.some(({ name }) => /password|token|hash/i.test(name)));
  t.false(JSON.stringify(row).includes('hunter2'));
  t.false(JSON.stringify(row).includes('secret-token'));
});

test('a retried insert stores duplicates that reads count once', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink } = sinkFor(t, { client: db.client, batchSize: 10 });
  const events = authEvents(4);
  for (const event of events) sink.emit(event);
  await sink.flush();
  // What a retry after a lost acknowledgement does: the same rows again.
  await db.client.command({ query: 'INSERT INTO auth_events SELECT * FROM auth_events' });
  t.is((await db.rows<{ n: string }>('SELECT count() AS n FROM auth_events'))[0]?.n, '8');
  t.is(await count(db.rows), 4);
  t.is((await db.rows('SELECT event_id FROM auth_events LIMIT 1 BY event_id')).length, 4);
});

test('an event without a UUID id is dropped as invalid, never thrown', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink, registry } = sinkFor(t, { client: db.client, batchSize: 10 });
  t.notThrows(() => sink.emit(authEvent({ id: 'not-a-uuid' })));
  t.notThrows(() => sink.emit(undefined as never));
  t.is(await metricValue(registry, 'auth_events_dropped_total', { reason: 'invalid' }), 2);
  t.is(sink.depth, 0);
});

test('ClickHouse unreachable: events queue, then all are delivered when it comes back', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const port = await reservePort();
  const client = db.clientFor(`http://127.0.0.1:${port}`, { requestTimeoutMs: 2000 });
  // The last 5 events are a partial batch, which goes on the interval timer once ClickHouse is back.
  const { sink, registry } = sinkFor(t, { client, batchSize: 10, capacity: 100, flushIntervalMs: 100 });
  const events = authEvents(35);
  for (const event of events) sink.emit(event);
  await waitUntil(async () => (await metricValue(registry, 'auth_events_insert_failures_total')) >= 3, 'failed inserts');
  t.is(await metricValue(registry, 'auth_events_written_total'), 0);
  t.is(sink.depth, 35);
  t.is(await metricValue(registry, 'auth_events_queue_depth'), 35);

  await startTcpProxy(t, port, new URL(db.url));
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === 35, 'delivery after recovery');
  t.is(await count(db.rows), 35);
  t.is(await metricValue(registry, 'auth_events_dropped_total'), 0);
  t.is(await metricValue(registry, 'auth_events_queue_depth'), 0);
});

test('beyond capacity the oldest waiting events are dropped, and the count is exact', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const port = await reservePort();
  const client = db.clientFor(`http://127.0.0.1:${port}`, { requestTimeoutMs: 2000 });
  const { sink, registry } = sinkFor(t, { client, batchSize: 10, capacity: 50 });
  const events = authEvents(80);
  for (const event of events) sink.emit(event);
  t.is(await metricValue(registry, 'auth_events_dropped_total', { reason: 'queue_full' }), 30);
  t.is(await metricValue(registry, 'auth_events_enqueued_total'), 80);
  t.is(sink.depth, 50);

  await startTcpProxy(t, port, new URL(db.url));
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === 50, 'delivery');
  // The first batch was already in flight when the queue filled, so it survives; the next 30 went.
  const expected = [...events.slice(0, 10), ...events.slice(40)].map((event) => event.id).sort();
  const stored = (await db.rows<{ event_id: string }>("SELECT event_id FROM auth_events")).map((row) => row.event_id).sort();
  t.deepEqual(stored, expected);
});

test('close() flushes what is queued and later emits are counted as dropped', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink, registry } = sinkFor(t, { client: db.client, batchSize: 100 });
  for (const event of authEvents(42)) sink.emit(event);
  t.is(await metricValue(registry, 'auth_events_written_total'), 0);
  await sink.close(5000);
  t.is(await count(db.rows), 42);
  sink.emit(authEvent());
  t.is(await metricValue(registry, 'auth_events_dropped_total', { reason: 'shutdown' }), 1);
});

test('close() gives up at the deadline when ClickHouse is gone and counts what it lost', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const port = await reservePort();
  const client = db.clientFor(`http://127.0.0.1:${port}`);
  const { sink, registry } = sinkFor(t, { client, batchSize: 100 });
  for (const event of authEvents(12)) sink.emit(event);
  await sink.close(150);
  t.is(await metricValue(registry, 'auth_events_dropped_total', { reason: 'shutdown' }), 12);
  t.is(await metricValue(registry, 'auth_events_written_total'), 0);
  t.is(sink.depth, 0);
});

test('async_insert requested against 18.16 falls back to plain inserts', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const { sink } = sinkFor(t, { client: db.client, batchSize: 5, asyncInsert: true });
  for (const event of authEvents(5)) sink.emit(event);
  await sink.flush();
  t.is(await count(db.rows), 5);
});

test('inserts before the schema exists fail on the server, queue, and land once migrations run', async (t) => {
  const db = await createClickHouseTestDatabase(t, { migrate: false });
  const { sink, registry } = sinkFor(t, { client: db.client, batchSize: 5, flushIntervalMs: 20 });
  for (const event of authEvents(7)) sink.emit(event);
  await waitUntil(async () => (await metricValue(registry, 'auth_events_insert_failures_total')) >= 2, 'rejected inserts');
  t.is(sink.depth, 7);
  await migrateClickHouse({ client: db.client });
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === 7, 'delivery after migration');
  t.is(await count(db.rows), 7);
});

test('retry delays double from the initial delay up to the cap, with half of each step jittered', (t) => {
  const make = (random: number) => new ClickHouseSink({ client: {} as never, registry: new Registry(), retry: { initialDelayMs: 100, maxDelayMs: 1000 }, random: () => random });
  const low = make(0);
  const high = make(0.999999);
  t.teardown(() => Promise.all([low.close(0), high.close(0)]).then(() => undefined));
  t.deepEqual([1, 2, 3, 4, 5, 6, 40].map((failures) => low.backoffDelayMs(failures)), [50, 100, 200, 400, 500, 500, 500]);
  t.deepEqual([1, 2, 3, 4, 5, 6, 40].map((failures) => high.backoffDelayMs(failures)), [100, 200, 400, 800, 1000, 1000, 1000]);
});

// HTTP faults between the client and ClickHouse, injected with nock in front of the real server:
// each test intercepts the first insert(s) and lets the rest through to ClickHouse, so delivery is
// checked in the real table. nock is process-global, so these tests run serially and clean up.
import test from 'ava';
import nock from 'nock';
import { Registry } from 'prom-client';
import { ClickHouseSink } from '../../src/events/clickhouse-sink.ts';
import { authEvents } from './auth-event-fixtures.ts';
import { clickHouseTestUrl, createClickHouseTestDatabase, type ClickHouseTestDatabase } from './clickhouse-test-database.ts';
import { metricValue, waitUntil } from './sink-test-helpers.ts';

test.before(() => {
  // Nothing leaves loopback, and loopback (the real ClickHouse) stays reachable for pass-through.
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});

test.afterEach.always(() => {
  nock.cleanAll();
});

test.after.always(() => {
  nock.enableNetConnect();
});

// Only the sink's inserts are faulted; the test's own reads go straight through.
const insertInto = (scope: nock.Scope) => scope.post('/').query((query) => String(query.query ?? '').startsWith('INSERT INTO auth_events'));

async function deliverThroughFaults(t: import('ava').ExecutionContext, faults: (scope: nock.Interceptor) => void, times = 1, requestTimeoutMs = 10_000) {
  const db: ClickHouseTestDatabase = await createClickHouseTestDatabase(t);
  // nock's faked sockets must not be pooled and reused for the next (real) request.
  const client = db.clientFor(db.url, { requestTimeoutMs, keepAlive: false });
  const registry = new Registry();
  const sink = new ClickHouseSink({ client, registry, batchSize: 10, flushIntervalMs: 60_000, retry: { initialDelayMs: 5, maxDelayMs: 40 } });
  t.teardown(() => sink.close(1000));
  const scope = nock(clickHouseTestUrl(), { allowUnmocked: true });
  for (let attempt = 0; attempt < times; attempt += 1) faults(insertInto(scope));
  const events = authEvents(20);
  for (const event of events) sink.emit(event);
  await waitUntil(async () => (await metricValue(registry, 'auth_events_written_total')) === 20, 'delivery after faults');
  t.true(scope.isDone(), `pending mocks: ${scope.pendingMocks().join(', ')}`);
  t.deepEqual(nock.pendingMocks(), []);
  const [row] = await db.rows<{ n: string }>('SELECT uniqExact(event_id) AS n FROM auth_events');
  t.is(row?.n, '20');
  return { registry, sink };
}

test.serial('an HTTP 500 is retried and the batch is delivered', async (t) => {
  const { registry } = await deliverThroughFaults(t, (interceptor) => interceptor.reply(500, 'Code: 999. DB::Exception: injected failure'));
  t.is(await metricValue(registry, 'auth_events_insert_failures_total'), 1);
  t.is(await metricValue(registry, 'auth_events_dropped_total'), 0);
});

test.serial('five failures in a row back off and then deliver everything', async (t) => {
  const { registry } = await deliverThroughFaults(t, (interceptor) => interceptor.reply(503, 'Service Unavailable'), 5);
  t.is(await metricValue(registry, 'auth_events_insert_failures_total'), 5);
});

test.serial('a response slower than the request timeout is abandoned and retried', async (t) => {
  const { registry } = await deliverThroughFaults(t, (interceptor) => interceptor.delay(5000).reply(200, ''), 1, 500);
  // At least the delayed one; a real insert slower than 500 ms on a busy machine would add another.
  t.true((await metricValue(registry, 'auth_events_insert_failures_total')) >= 1);
});

test.serial('a connection reset is retried', async (t) => {
  const { registry } = await deliverThroughFaults(t, (interceptor) =>
    interceptor.replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
  );
  t.is(await metricValue(registry, 'auth_events_insert_failures_total'), 1);
});

test.serial('emitting never waits on a hanging ClickHouse', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const client = db.clientFor(db.url, { requestTimeoutMs: 60_000, keepAlive: false });
  const registry = new Registry();
  const sink = new ClickHouseSink({ client, registry, batchSize: 1, capacity: 1000 });
  t.teardown(() => sink.close(100));
  insertInto(nock(clickHouseTestUrl(), { allowUnmocked: true })).delay(60_000).reply(200, '');
  // Each emit returns synchronously while the first insert hangs; nothing awaits ClickHouse.
  for (const event of authEvents(50)) t.is(sink.emit(event), undefined);
  t.is(sink.depth, 50);
  t.is(await metricValue(registry, 'auth_events_enqueued_total'), 50);
  t.is(await metricValue(registry, 'auth_events_written_total'), 0);
});

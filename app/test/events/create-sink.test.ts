// The sink choice made at start-up: ClickHouse when CLICKHOUSE_URL is set, else the log with a warning.
import { PassThrough } from 'node:stream';
import test from 'ava';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/index.ts';
import { createEventSink } from '../../src/events/create-sink.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { authEvent } from './auth-event-fixtures.ts';
import { createClickHouseTestDatabase } from './clickhouse-test-database.ts';
import { metricValue } from './sink-test-helpers.ts';

function capturedLogger() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').trim().split('\n')));
  return { logger: createLogger({ level: 'info', destination: stream }), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://unused@127.0.0.1/unused' };

test('without CLICKHOUSE_URL events go to the log, with a start-up warning', async (t) => {
  const { logger, lines } = capturedLogger();
  const { sink, clickhouse } = createEventSink(loadConfig(base), logger, new Registry());
  t.is(clickhouse, undefined);
  sink.emit(authEvent({ type: 'login_failed', outcome: 'failure', reason: 'bad_password' }));
  await sink.close(100);
  await new Promise((resolve) => setImmediate(resolve));
  const logged = lines();
  t.true(logged.some((line) => line.level === 'warn' && String(line.msg).includes('CLICKHOUSE_URL is not set')));
  t.true(logged.some((line) => (line.event as { reason?: string } | undefined)?.reason === 'bad_password'));
});

test('with CLICKHOUSE_URL events go to ClickHouse, metrics are on the given registry, readiness pings', async (t) => {
  const db = await createClickHouseTestDatabase(t);
  const registry = new Registry();
  const config = loadConfig({ ...base, CLICKHOUSE_URL: db.url, CLICKHOUSE_USER: 'default', CLICKHOUSE_DATABASE: db.database, EVENTS_BATCH_SIZE: '2' });
  const { sink, clickhouse } = createEventSink(config, createLogger({ level: 'silent' }), registry);
  t.truthy(clickhouse);
  t.true(await clickhouse?.ping());
  sink.emit(authEvent());
  sink.emit(authEvent());
  await sink.close(5000);
  t.is(await metricValue(registry, 'auth_events_written_total'), 2);
  t.is((await db.rows<{ n: string }>('SELECT count() AS n FROM auth_events'))[0]?.n, '2');
});

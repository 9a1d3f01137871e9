// The ClickHouse migration runner against the real 18.16 server: the shipped migrations, the version
// gate, idempotence under concurrent start-ups, and the edited-migration guard.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { capabilitiesFor, detectClickHouseCapabilities } from '../../src/events/clickhouse-capabilities.ts';
import { migrateClickHouse } from '../../src/events/clickhouse-migrations.ts';
import { createClickHouseTestDatabase } from './clickhouse-test-database.ts';

const recorded = async (rows: <T>(q: string) => Promise<T[]>) =>
  (await rows<{ version: string }>('SELECT DISTINCT version FROM schema_migrations ORDER BY version')).map((row) => row.version);

test('the shipped migrations create auth_events on this server; the TTL one waits for a newer server', async (t) => {
  const db = await createClickHouseTestDatabase(t, { migrate: false });
  const capabilities = await detectClickHouseCapabilities(db.client);
  t.log(`server ${capabilities.version.raw}: ttl=${capabilities.ttl} asyncInsert=${capabilities.asyncInsert}`);
  const result = await migrateClickHouse({ client: db.client });
  t.deepEqual(result.apply.map((m) => `${m.version}_${m.name}`), ['0001_auth_events']);
  t.deepEqual(result.skipped, capabilities.ttl ? [] : [{ version: '0002', name: 'auth_events_retention', missing: ['ttl'] }]);
  t.deepEqual(await recorded(db.rows), ['0001']);
  const [table] = await db.rows<{ engine: string; partition_key: string; sorting_key: string }>(
    "SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = currentDatabase() AND name = 'auth_events'",
  );
  t.like(table, { engine: 'ReplacingMergeTree', partition_key: 'toYYYYMM(event_time)', sorting_key: 'event_type, event_time, user_id, event_id' });

  const again = await migrateClickHouse({ client: db.client });
  t.deepEqual(again.apply, []);
});

test('two instances migrating at once both succeed and leave one schema', async (t) => {
  const db = await createClickHouseTestDatabase(t, { migrate: false });
  const other = db.clientFor(db.url);
  await Promise.all([migrateClickHouse({ client: db.client }), migrateClickHouse({ client: other })]);
  t.deepEqual(await recorded(db.rows), ['0001']);
  t.is((await db.rows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'auth_events'")).length, 1);
});

test('a `requires:` migration runs once the server has the capability (runner path with an overridden set)', async (t) => {
  const db = await createClickHouseTestDatabase(t, { migrate: false });
  const dir = await mkdtemp(join(tmpdir(), 'ch-migrations-'));
  await writeFile(join(dir, '0001_base.sql'), 'CREATE TABLE IF NOT EXISTS gate (a UInt8) ENGINE = MergeTree ORDER BY a\n');
  // Harmless on 18.16, so the test exercises the runner's gate rather than the TTL syntax.
  await writeFile(join(dir, '0002_newer.sql'), '-- requires: ttl\nCREATE TABLE IF NOT EXISTS gated (a UInt8) ENGINE = MergeTree ORDER BY a;\nINSERT INTO gate VALUES (7);\n');
  const first = await migrateClickHouse({ client: db.client, dir, capabilities: capabilitiesFor('18.16.1') });
  t.deepEqual(first.skipped.map((m) => m.version), ['0002']);
  t.deepEqual(await recorded(db.rows), ['0001']);
  const upgraded = await migrateClickHouse({ client: db.client, dir, capabilities: capabilitiesFor('24.8.1.1') });
  t.deepEqual(upgraded.apply.map((m) => m.version), ['0002']);
  t.deepEqual(await recorded(db.rows), ['0001', '0002']);
  t.deepEqual(await db.rows('SELECT a FROM gate'), [{ a: 7 }]);

  await writeFile(join(dir, '0001_base.sql'), 'CREATE TABLE IF NOT EXISTS gate (a UInt16) ENGINE = MergeTree ORDER BY a\n');
  const error = await t.throwsAsync(migrateClickHouse({ client: db.client, dir }));
  t.is((error as { code?: string }).code, 'migration_changed');
});

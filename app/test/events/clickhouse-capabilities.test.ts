// Version detection and the choices made from it, fed with version strings of old and new servers.
import test from 'ava';
import { capabilitiesFor, parseClickHouseVersion } from '../../src/events/clickhouse-capabilities.ts';
import { parseClickHouseMigration, planClickHouseMigrations } from '../../src/events/clickhouse-migrations.ts';
import { insertSettingsFor } from '../../src/events/clickhouse-sink.ts';

const versions = test.macro((t, version: string, expected: { ttl: boolean; asyncInsert: boolean }) => {
  const { ttl, asyncInsert } = capabilitiesFor(version);
  t.deepEqual({ ttl, asyncInsert }, expected);
});

test('18.16 (Debian, the floor)', versions, '18.16.1', { ttl: false, asyncInsert: false });
test('19.5 (just before TTL)', versions, '19.5.4.22', { ttl: false, asyncInsert: false });
test('19.6 (TTL arrives)', versions, '19.6.2.11', { ttl: true, asyncInsert: false });
test('21.10 (just before async_insert)', versions, '21.10.6.2', { ttl: true, asyncInsert: false });
test('21.11 (async_insert arrives)', versions, '21.11.1.8636', { ttl: true, asyncInsert: true });
test('24.8 LTS', versions, '24.8.14.39', { ttl: true, asyncInsert: true });
test('ClickHouse Cloud 25.x', versions, '25.6.2.6054', { ttl: true, asyncInsert: true });
test('a double-digit minor is not compared as text (19.10 > 19.6)', versions, '19.10.1.5', { ttl: true, asyncInsert: false });

test('a version string that is not major.minor is a TypeError', (t) => {
  for (const raw of ['', 'latest', 'v24.8', '24']) t.throws(() => parseClickHouseVersion(raw), { instanceOf: TypeError }, raw);
  t.deepEqual(parseClickHouseVersion(' 18.16.1\n'), { major: 18, minor: 16, raw: '18.16.1' });
});

test('async_insert is sent only when asked for and the server has it', (t) => {
  t.deepEqual(insertSettingsFor(true, capabilitiesFor('24.8.1.1')), { async_insert: 1, wait_for_async_insert: 1 });
  t.deepEqual(insertSettingsFor(true, capabilitiesFor('18.16.1')), {});
  t.deepEqual(insertSettingsFor(false, capabilitiesFor('24.8.1.1')), {});
  t.deepEqual(insertSettingsFor(true, undefined), {});
});

const baseline = parseClickHouseMigration('0001_base.sql', 'CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a');
const retention = parseClickHouseMigration('0002_retention.sql', '-- requires: ttl\nALTER TABLE t MODIFY TTL now() + INTERVAL 1 DAY\n');

test('a `requires: ttl` migration waits on 18.16 and is applied on a newer server', (t) => {
  const old = planClickHouseMigrations([baseline, retention], new Map(), capabilitiesFor('18.16.1'));
  t.deepEqual(old.apply.map((m) => m.version), ['0001']);
  t.deepEqual(old.skipped, [{ version: '0002', name: 'retention', missing: ['ttl'] }]);
  // The same server after an upgrade, with 0001 recorded: only the waiting one is applied.
  const upgraded = planClickHouseMigrations([baseline, retention], new Map([['0001', baseline.checksum]]), capabilitiesFor('24.8.1.1'));
  t.deepEqual(upgraded.apply.map((m) => m.version), ['0002']);
  t.deepEqual(upgraded.skipped, []);
});

test('an applied migration that was edited stops the run', (t) => {
  const error = t.throws(() => planClickHouseMigrations([baseline], new Map([['0001', 'other']]), capabilitiesFor('18.16.1')));
  t.is((error as { code?: string }).code, 'migration_changed');
});

test('migration files: names, headers and statements', (t) => {
  t.deepEqual(retention.requires, ['ttl']);
  t.deepEqual(parseClickHouseMigration('0003_two.sql', '-- comment\nSELECT 1;\n-- between\nSELECT 2;\n').statements, ['-- comment\nSELECT 1', '-- between\nSELECT 2']);
  t.throws(() => parseClickHouseMigration('3_bad.sql', 'SELECT 1'), { instanceOf: TypeError });
  t.throws(() => parseClickHouseMigration('0004_x.sql', '-- requires: time_travel\nSELECT 1'), { instanceOf: TypeError });
  t.throws(() => parseClickHouseMigration('0005_empty.sql', '-- nothing here\n'), { instanceOf: TypeError });
});

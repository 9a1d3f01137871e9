// The native services (scripts/lib/services/) give the app the users compose defines: PostgreSQL's roles from
// docker/postgres/init-roles.sh and ClickHouse's app user from docker/clickhouse/users.d/auth_app.xml, the same
// files compose mounts (issue 17, item 5). Started for real, as `npm run dev` and `npm test` start them.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib/hcl.ts';

interface ServicesModule {
  newServicesDir(prefix: string): string;
  startServices(dir: string, which?: { postgres: boolean; clickhouse: boolean }): Promise<{ env: Record<string, string>; stop(): void }>;
  grantsSupported(version: string): boolean;
}

const services = (await import(pathToFileURL(join(repoRoot, 'scripts', 'services.mjs')).href)) as ServicesModule;

test('the native PostgreSQL and ClickHouse users are the ones compose defines', async (t) => {
  const dir = services.newServicesDir('native-services-test-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const running = await services.startServices(dir);
  t.teardown(() => running.stop());
  const { env } = running;

  // PostgreSQL: the owner creates tables, the app role only reads and writes rows (compose.test.ts checks the
  // same script the same way against its own database).
  const psql = (url: string, sql: string) => spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8' });
  t.is(psql(env.DATABASE_MIGRATION_URL!, 'create table native_check (id int primary key)').status, 0);
  t.is(psql(env.DATABASE_URL!, 'insert into native_check values (1); delete from native_check').status, 0);
  t.regex(psql(env.DATABASE_URL!, 'create table sneaky (id int)').stderr, /permission denied/);

  // ClickHouse: compose's users.d file, byte for byte, and a user confined to its own database.
  t.is(readFileSync(join(dir, 'ch', 'users.d', 'auth_app.xml'), 'utf8'), readFileSync(join(repoRoot, 'docker', 'clickhouse', 'users.d', 'auth_app.xml'), 'utf8'));
  const query = async (sql: string) => {
    const response = await fetch(env.CLICKHOUSE_URL!, { method: 'POST', body: sql, headers: { 'X-ClickHouse-User': env.CLICKHOUSE_USER!, 'X-ClickHouse-Key': env.CLICKHOUSE_PASSWORD! } });
    return { status: response.status, text: await response.text() };
  };
  t.is((await query(`CREATE TABLE ${env.CLICKHOUSE_DATABASE}.native_check (x UInt8) ENGINE = Memory`)).status, 200);
  t.is((await query(`INSERT INTO ${env.CLICKHOUSE_DATABASE}.native_check VALUES (1)`)).status, 200);
  t.is((await query(`SELECT count() FROM ${env.CLICKHOUSE_DATABASE}.native_check`)).text.trim(), '1');
  const other = await query('CREATE DATABASE native_other');
  t.not(other.status, 200);
  t.regex(other.text, /denied|ACCESS_DENIED|Not enough privileges/i);
  // DROP: compose's grant has none. Servers with GRANT (20.4 and later) refuse it; 18.16 cannot express
  // "no DROP" (architecture/PLATFORM_CONTRACT.md says so), and its confined user drops tables in `auth`.
  const version = (await query('SELECT version()')).text.trim();
  const drop = await query(`DROP TABLE ${env.CLICKHOUSE_DATABASE}.native_check`);
  if (services.grantsSupported(version)) t.regex(drop.text, /ACCESS_DENIED|Not enough privileges/i, version);
  else t.is(drop.status, 200, `${version}: ${drop.text}`);
});

test('GRANT support is decided from the running server\'s version, not from whether its binary knows --version', async (t) => {
  // A server binary that answers --version (as later releases do) but runs Debian's 18.16: a wrapper script.
  const real = (process.env.CLICKHOUSE_BIN ?? spawnSync('sh', ['-c', 'command -v clickhouse-server || echo /usr/bin/clickhouse-server'], { encoding: 'utf8' }).stdout.trim());
  const dir = services.newServicesDir('native-services-test-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wrapper = join(dir, 'clickhouse-server');
  writeFileSync(wrapper, `#!/bin/sh\nif [ "$1" = --version ]; then echo 'ClickHouse server version 24.8.1.1'; exit 0; fi\nexec ${real} "$@"\n`, { mode: 0o755 });
  const previous = process.env.CLICKHOUSE_BIN;
  process.env.CLICKHOUSE_BIN = wrapper;
  t.teardown(() => {
    if (previous === undefined) delete process.env.CLICKHOUSE_BIN;
    else process.env.CLICKHOUSE_BIN = previous;
  });
  const running = await services.startServices(dir, { postgres: false, clickhouse: true });
  t.teardown(() => running.stop());
  const { env } = running;
  const query = async (sql: string) => {
    const response = await fetch(env.CLICKHOUSE_URL!, { method: 'POST', body: sql, headers: { 'X-ClickHouse-User': env.CLICKHOUSE_USER!, 'X-ClickHouse-Key': env.CLICKHOUSE_PASSWORD! } });
    return { status: response.status, text: await response.text() };
  };
  const version = (await query('SELECT version()')).text.trim();
  const other = await query('CREATE DATABASE native_other_wrapped');
  t.not(other.status, 200, `${version}: the app user is confined to its database`);
  t.regex(other.text, /denied|ACCESS_DENIED|Not enough privileges/i);
});

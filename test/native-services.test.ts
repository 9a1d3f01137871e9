// The native services (scripts/lib/services/) give the app the users compose defines: PostgreSQL's roles from
// docker/postgres/init-roles.sh and ClickHouse's app user from docker/clickhouse/users.d/auth_app.xml, the same
// files compose mounts (issue 17, item 5). Started for real, as `npm run dev` and `npm test` start them.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib/hcl.ts';

interface ServicesModule {
  newServicesDir(prefix: string): string;
  startServices(dir: string, which?: { postgres: boolean; clickhouse: boolean }): Promise<{ env: Record<string, string>; stop(): void }>;
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
});

// docker-compose.yml and its files, checked without a Docker engine: the Compose Specification schema,
// interpolations, loopback-only ports, healthchecks, the users and roles the containers create, and the
// PostgreSQL init script run for real against PostgreSQL.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../app/src/config/index.ts';
import { repoRoot } from './lib/hcl.ts';
import { composeValidator, interpolatedVariables } from './lib/compose-schema.ts';
import { envFiles, environment, nonLoopbackPorts, readCompose } from './lib/compose-file.ts';
import { readDotenvFile } from './lib/dotenv.ts';
import { adminDatabaseUrl } from './lib/admin-postgres.ts';

const compose = readCompose();
const services = compose.services as Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
const envExample = readDotenvFile(join(repoRoot, '.env.example')).entries;
const exampleValue = (name: string) => envExample.get(name)?.value ?? '';
const validate = composeValidator();

test('docker-compose.yml is valid against the Compose Specification schema', (t) => {
  const { valid, errors } = validate(compose);
  t.true(valid, errors.join('\n'));
});

test('the schema check fails on a broken compose file', (t) => {
  const broken = structuredClone(compose);
  broken.services.app.depends_on.postgres.condition = 'service_ready';
  broken.services.postgres.healthcheck.interval = '5 seconds';
  broken.services.clickhouse.restart_policy = 'always';
  const { valid, errors } = validate(broken);
  t.false(valid);
  t.true(errors.some((error) => error.includes('/services/postgres/healthcheck/interval')), errors.join('\n'));
  t.true(errors.some((error) => error.includes('/services/clickhouse')), errors.join('\n'));
});

test('every ${VAR} that compose interpolates is in .env.example', (t) => {
  const used = interpolatedVariables(compose);
  t.true(used.size > 0);
  const missing = [...used].filter((name) => !envExample.has(name));
  t.deepEqual(missing, [], `add to .env.example: ${missing.join(', ')}`);
});

test('published ports listen on 127.0.0.1 only', (t) => {
  t.deepEqual(nonLoopbackPorts(compose), []);
  const exposed = structuredClone(compose);
  exposed.services.postgres.ports = ['5432:5432'];
  exposed.services.app.ports = [{ target: 8080, published: 8080 }];
  t.deepEqual(nonLoopbackPorts(exposed), ['postgres: 5432:5432', 'app: {"target":8080,"published":8080}']);
});

test('images are pinned: PostgreSQL 16 and a versioned clickhouse/clickhouse-server', (t) => {
  t.regex(services.postgres!.image, /^postgres:16(\.\d+)?(-[a-z]+)?$/);
  t.regex(services.clickhouse!.image, /^clickhouse\/clickhouse-server:\d+\.\d+(\.\d+)*(-[a-z]+)?$/);
});

test('postgres and clickhouse have healthchecks and the app waits for both to be healthy', (t) => {
  const pgTest = services.postgres!.healthcheck.test as string[];
  t.deepEqual(pgTest.slice(0, 2), ['CMD', 'pg_isready']);
  // Healthy means the init script has created the app's database (over TCP, which the init phase does not open).
  t.is(pgTest[pgTest.indexOf('-d') + 1], new URL(exampleValue('DATABASE_URL')).pathname.slice(1));
  t.is(pgTest[pgTest.indexOf('-h') + 1], '127.0.0.1');
  t.true(services.clickhouse!.healthcheck.test.length > 1);
  t.deepEqual(services.app!.depends_on, {
    postgres: { condition: 'service_healthy' },
    clickhouse: { condition: 'service_healthy' },
  });
});

test('the app is built from app/Dockerfile, configured from .env and serves on 8080', (t) => {
  const app = services.app!;
  t.true(existsSync(join(repoRoot, app.build.context, app.build.dockerfile)));
  t.deepEqual(envFiles(app), ['.env']);
  t.is(environment(app).get('PORT'), '8080');
  t.deepEqual(app.ports, ['127.0.0.1:8080:8080']);
});

test('data lives in named volumes, and every bind-mounted file exists', (t) => {
  const declared = Object.keys(compose.volumes ?? {});
  t.true(declared.length >= 2);
  const mounts = Object.values(services).flatMap((service) => (service.volumes ?? []) as string[]);
  for (const mount of mounts) {
    const [source] = mount.split(':');
    if (source!.startsWith('.') || source!.startsWith('/')) t.true(existsSync(join(repoRoot, source!)), `${source} does not exist`);
    else t.true(declared.includes(source!), `${source} is not a declared named volume`);
  }
  t.true(mounts.some((mount) => mount.endsWith(':/var/lib/postgresql/data')));
  t.true(mounts.some((mount) => mount.endsWith(':/var/lib/clickhouse')));
});

test('.env.example points at the compose services and passes the app config parser', (t) => {
  t.is(new URL(exampleValue('DATABASE_URL')).hostname, 'postgres');
  t.is(new URL(exampleValue('DATABASE_MIGRATION_URL')).hostname, 'postgres');
  t.is(new URL(exampleValue('CLICKHOUSE_URL')).hostname, 'clickhouse');
  const env = Object.fromEntries([...envExample].map(([name, entry]) => [name, entry.value]));
  t.notThrows(() => loadConfig(env));
  // The example carries no production secret: as production it must refuse to start for lack of signing keys.
  const error = t.throws(() => loadConfig({ ...env, NODE_ENV: 'production' }));
  t.regex(error.message, /JWT_SIGNING_KEYS/);
});

test('.env is git-ignored', (t) => {
  const result = spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: repoRoot });
  t.is(result.status, 0);
});

test('the ClickHouse users file matches .env.example and keeps the admin on loopback', (t) => {
  const xml = readFileSync(join(repoRoot, 'docker', 'clickhouse', 'users.d', 'auth_app.xml'), 'utf8');
  const user = exampleValue('CLICKHOUSE_USER');
  t.regex(xml, new RegExp(`<${user}>[\\s\\S]*</${user}>`), `users.d has no <${user}> user`);
  t.true(xml.includes(` ON ${exampleValue('CLICKHOUSE_DATABASE')}.*`), 'the grant names CLICKHOUSE_DATABASE');
  t.notRegex(xml, /GRANT[^<]*\b(ALL|ACCESS MANAGEMENT|CREATE USER)\b/i);
  const defaultNetworks = /<default>\s*<networks replace="replace">([\s\S]*?)<\/networks>/.exec(xml)?.[1] ?? '';
  t.deepEqual([...defaultNetworks.matchAll(/<ip>([^<]+)<\/ip>/g)].map((match) => match[1]).sort(), ['127.0.0.1', '::1']);
  // The password comes from the env var that compose fills from CLICKHOUSE_PASSWORD.
  const fromEnv = /<password from_env="([A-Z_]+)"\/>/.exec(xml)?.[1];
  t.is(environment(services.clickhouse!).get(fromEnv ?? ''), '${CLICKHOUSE_PASSWORD}');
  t.false(environment(services.clickhouse!).has('CLICKHOUSE_PASSWORD'), 'the image would give that password to the default user');
});

const initScript = join(repoRoot, 'docker', 'postgres', 'init-roles.sh');

test('the PostgreSQL init script passes shellcheck', (t) => {
  const result = spawnSync('shellcheck', [initScript], { encoding: 'utf8' });
  t.is(result.status, 0, result.stdout + result.stderr);
});

test('the PostgreSQL init script creates an owner and a least-privilege app role from the .env URLs', async (t) => {
  const admin = new URL(await adminDatabaseUrl());
  const suffix = randomBytes(4).toString('hex');
  const [owner, app, database] = [`it_owner_${suffix}`, `it_app_${suffix}`, `it_auth_${suffix}`];
  const url = (user: string) => `postgres://${user}:local-${user}@postgres:5432/${database}`;
  const connection = { ...process.env, PGHOST: admin.hostname, PGPORT: admin.port, PGPASSWORD: decodeURIComponent(admin.password) };
  const psql = (user: string, password: string, sql: string) =>
    spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', user, '-d', database, '-c', sql], {
      env: { ...connection, PGPASSWORD: password },
      encoding: 'utf8',
    });
  t.teardown(() => {
    // Separate -c commands: DROP DATABASE cannot run inside the implicit transaction of a multi-statement -c.
    const drops = [`drop database if exists ${database} with (force)`, `drop role if exists ${app}`, `drop role if exists ${owner}`];
    execFileSync('psql', ['-X', '-q', '-U', admin.username, '-d', 'postgres', ...drops.flatMap((sql) => ['-c', sql])], { env: connection, stdio: 'ignore' });
  });

  execFileSync('sh', [initScript], {
    env: { ...connection, POSTGRES_USER: admin.username, DATABASE_URL: url(app), DATABASE_MIGRATION_URL: url(owner) },
    stdio: 'pipe',
  });

  const ownerCreates = psql(owner, `local-${owner}`, 'create table users (id int primary key); create sequence ids;');
  t.is(ownerCreates.status, 0, ownerCreates.stderr);
  const appWrites = psql(app, `local-${app}`, "insert into users values (1); update users set id = 2; select nextval('ids'); delete from users;");
  t.is(appWrites.status, 0, appWrites.stderr);
  const appCreates = psql(app, `local-${app}`, 'create table sneaky (id int)');
  t.not(appCreates.status, 0);
  t.regex(appCreates.stderr, /permission denied/);
  const appAlters = psql(app, `local-${app}`, 'alter table users add column x int');
  t.regex(appAlters.stderr, /must be owner/);
});

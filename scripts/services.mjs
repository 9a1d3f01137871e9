#!/usr/bin/env node
// Starts (or stops) a throwaway PostgreSQL and ClickHouse natively, for `npm run dev` and `npm test`
// on machines without Docker. Everything lives in one folder (default .local/services, git-ignored)
// and listens on free loopback ports only.
//
//   node scripts/services.mjs start [--dir DIR]   prints KEY=VALUE lines (also written to DIR/services.env)
//   node scripts/services.mjs stop  [--dir DIR]
//
// The env it prints uses the same names as .env.example, plus TEST_* names that the test suites use
// to create one database per test file.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, chmodSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;

// Local-only passwords for a throwaway cluster bound to 127.0.0.1. Not secrets.
const LOCAL = {
  pgSuperPassword: 'local-superuser-password',
  pgOwnerPassword: 'local-owner-password',
  pgAppPassword: 'local-app-password',
  chAppPassword: 'local-clickhouse-password',
};

function log(message) {
  process.stderr.write(`[services] ${message}\n`);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function which(binary) {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function postgresBinDir() {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // pg_config may be the client's only; fall back to the Debian layout.
  }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(base, version, 'bin');
      if (existsSync(join(dir, 'initdb'))) return dir;
    }
  }
  throw new Error('PostgreSQL server binaries not found (initdb). Install postgresql, or set DATABASE_URL.');
}

// PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user.
function serviceUser() {
  if (!isRoot) return undefined;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres'], { stdio: 'inherit' });
  }
  return 'postgres';
}

function runAs(user, command, args, options = {}) {
  if (!user) return execFileSync(command, args, { stdio: 'pipe', encoding: 'utf8', ...options });
  return execFileSync('runuser', ['-u', user, '--', command, ...args], { stdio: 'pipe', encoding: 'utf8', ...options });
}

function chownTree(user, path) {
  if (user) execFileSync('chown', ['-R', `${user}:`, path]);
}

async function waitFor(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new Error(`${what} did not become ready in ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`);
}

/**
 * Starts a PostgreSQL cluster in `dir` (initialised on first use). Returns its env, its server log
 * (`logFile`), and `stop()` / `start()` for tests that take the server away under a running app.
 */
export async function startPostgres(dir) {
  const binDir = postgresBinDir();
  const user = serviceUser();
  const dataDir = join(dir, 'pg', 'data');
  const socketDir = join(dir, 'pg', 'socket');
  mkdirSync(socketDir, { recursive: true });
  chownTree(user, join(dir, 'pg'));
  const port = await freePort();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const pwFile = join(dir, 'pg', 'pwfile');
    writeFileSync(pwFile, `${LOCAL.pgSuperPassword}\n`);
    chownTree(user, join(dir, 'pg'));
    runAs(user, join(binDir, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '--pwfile', pwFile,
      '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8',
    ]);
  }
  const logFile = join(dir, 'pg', 'postgres.log');
  // The same port on every start, so a test can stop the server under a running app and start it again.
  const start = () =>
    runAs(user, join(binDir, 'pg_ctl'), [
      '-D', dataDir, '-l', logFile, '-w', '-t', '60',
      '-o', `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      'start',
    ]);
  start();
  const psql = (sql, db = 'postgres') =>
    runAs(user, join(binDir, 'psql'), ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]);
  await waitFor(() => psql('select 1').trim() === '1', 'PostgreSQL');
  // Mirror production: an owner role runs migrations, a least-privilege role serves requests.
  const exists = psql("select 1 from pg_roles where rolname = 'auth_owner'").trim() === '1';
  if (!exists) {
    psql(`create role auth_owner login password '${LOCAL.pgOwnerPassword}' createdb`);
    psql(`create role auth_app login password '${LOCAL.pgAppPassword}'`);
    psql('create database auth owner auth_owner');
    psql('revoke all on database auth from public', 'auth');
    psql('grant connect on database auth to auth_app', 'auth');
    psql('grant usage on schema public to auth_app', 'auth');
    psql('alter default privileges for role auth_owner in schema public grant select, insert, update, delete on tables to auth_app', 'auth');
    psql('alter default privileges for role auth_owner in schema public grant usage, select on sequences to auth_app', 'auth');
    psql('alter schema public owner to auth_owner', 'auth');
  }
  return {
    port,
    env: {
      DATABASE_URL: `postgres://auth_app:${LOCAL.pgAppPassword}@127.0.0.1:${port}/auth`,
      DATABASE_MIGRATION_URL: `postgres://auth_owner:${LOCAL.pgOwnerPassword}@127.0.0.1:${port}/auth`,
      TEST_DATABASE_ADMIN_URL: `postgres://postgres:${LOCAL.pgSuperPassword}@127.0.0.1:${port}/postgres`,
    },
    logFile,
    start,
    stop: () => runAs(user, join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']),
  };
}

function clickhouseBinary() {
  if (process.env.CLICKHOUSE_BIN) return process.env.CLICKHOUSE_BIN;
  for (const candidate of ['clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', 'clickhouse']) {
    const found = candidate.startsWith('/') ? (existsSync(candidate) ? candidate : undefined) : which(candidate);
    if (found) return found;
  }
  if (isRoot && which('apt-get')) {
    log('clickhouse-server is missing; installing it from Debian (apt-get)');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client'], { stdio: 'inherit' });
    return clickhouseBinary();
  }
  throw new Error('clickhouse-server not found. Install the Debian package clickhouse-server (as root), or set CLICKHOUSE_URL.');
}

function clickhouseConfig(dir, ports) {
  const path = join(dir, 'ch');
  // <yandex> is the root element the 18.x server requires; newer servers still accept it.
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${path}/server.log</log><errorlog>${path}/server.err.log</errorlog><size>10M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${path}/data/</path>
  <tmp_path>${path}/tmp/</tmp_path>
  <user_files_path>${path}/user_files/</user_files_path>
  <format_schema_path>${path}/format_schemas/</format_schema_path>
  <users_config>${path}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

function clickhouseUsers() {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>2000000000</max_memory_usage><load_balancing>random</load_balancing></default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <auth_app>
      <password>${LOCAL.chAppPassword}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
      <allow_databases><database>auth</database></allow_databases>
    </auth_app>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

async function clickhouseQuery(url, sql, user = 'default', password = '') {
  const response = await fetch(url, {
    method: 'POST',
    body: sql,
    headers: { 'X-ClickHouse-User': user, 'X-ClickHouse-Key': password },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function startClickHouse(dir) {
  const binary = clickhouseBinary();
  const path = join(dir, 'ch');
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(path, sub), { recursive: true });
  const ports = { http: await freePort(), tcp: await freePort() };
  writeFileSync(join(path, 'config.xml'), clickhouseConfig(dir, ports));
  writeFileSync(join(path, 'users.xml'), clickhouseUsers());
  const args = binary.endsWith('/clickhouse') || binary === 'clickhouse' ? ['server', `--config-file=${path}/config.xml`] : [`--config-file=${path}/config.xml`];
  const child = spawn(binary, args, { cwd: path, detached: true, stdio: 'ignore' });
  child.unref();
  writeFileSync(join(path, 'server.pid'), String(child.pid));
  const url = `http://127.0.0.1:${ports.http}`;
  await waitFor(async () => (await fetch(`${url}/ping`)).ok, 'ClickHouse', 90_000);
  await clickhouseQuery(url, 'CREATE DATABASE IF NOT EXISTS auth');
  const version = (await clickhouseQuery(url, 'SELECT version()')).trim();
  return {
    port: ports.http,
    version,
    env: {
      CLICKHOUSE_URL: url,
      CLICKHOUSE_USER: 'auth_app',
      CLICKHOUSE_PASSWORD: LOCAL.chAppPassword,
      CLICKHOUSE_DATABASE: 'auth',
      TEST_CLICKHOUSE_URL: url,
    },
    stop: () => stopPid(join(path, 'server.pid')),
  };
}

function stopPid(pidFile) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  rmSync(pidFile, { force: true });
}

function stopAll(dir) {
  const dataDir = join(dir, 'pg', 'data');
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    try {
      runAs(serviceUser(), join(postgresBinDir(), 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } catch (error) {
      log(`pg_ctl stop failed: ${error.message}`);
    }
  }
  stopPid(join(dir, 'ch', 'server.pid'));
}

/** Starts both services into `dir` and returns their env. */
export async function startServices(dir, { postgres = true, clickhouse = true } = {}) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const env = {};
  const started = [];
  if (postgres) {
    const pg = await startPostgres(dir);
    Object.assign(env, pg.env);
    started.push(pg);
    log(`PostgreSQL on 127.0.0.1:${pg.port}`);
  }
  if (clickhouse) {
    const ch = await startClickHouse(dir);
    Object.assign(env, ch.env);
    started.push(ch);
    log(`ClickHouse ${ch.version} on 127.0.0.1:${ch.port}`);
  }
  writeFileSync(join(dir, 'services.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return { env, stop: () => stopAll(dir) };
}

export { stopAll as stopServices };

/**
 * The services one run of tests or benchmarks needs: the configured ones when TEST_DATABASE_ADMIN_URL and
 * TEST_CLICKHOUSE_URL are set (e.g. CI service containers), else throwaway native ones in a fresh folder
 * under .local/. Returns the env to run with and a stop() that removes what was started.
 */
export async function servicesForRun(baseEnv = process.env, prefix = 'services-') {
  const env = { ...baseEnv };
  const postgres = !env.TEST_DATABASE_ADMIN_URL;
  const clickhouse = !env.TEST_CLICKHOUSE_URL;
  if (!postgres && !clickhouse) return { env, stop: () => {} };
  mkdirSync(join(repoRoot, '.local'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.local', prefix));
  const services = await startServices(dir, { postgres, clickhouse });
  let stopped = false;
  return {
    env: { ...env, ...services.env },
    stop: () => {
      if (stopped) return;
      stopped = true;
      services.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function dirArgument(argv) {
  const index = argv.indexOf('--dir');
  return resolve(index >= 0 ? argv[index + 1] : join(repoRoot, '.local', 'services'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command = 'start'] = process.argv.slice(2);
  const dir = dirArgument(process.argv);
  if (command === 'start') {
    const { env } = await startServices(dir);
    for (const [key, value] of Object.entries(env)) process.stdout.write(`${key}=${value}\n`);
  } else if (command === 'stop') {
    stopAll(dir);
  } else {
    log(`unknown command ${command}; use start or stop`);
    process.exit(2);
  }
}

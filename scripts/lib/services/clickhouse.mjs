// A throwaway ClickHouse server for one run, on free loopback ports. Its app user is defined by the same file
// compose mounts (docker/clickhouse/users.d/auth_app.xml), copied verbatim, with its password from the same
// environment variable.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError, firstLine, freePort, processAlive, processIdentity, sameProcess, waitFor, which } from './process.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const APP_USER_FILE = join(repoRoot, 'docker', 'clickhouse', 'users.d', 'auth_app.xml');

// Local-only password for a throwaway server bound to 127.0.0.1. Not a secret.
const APP_PASSWORD = 'local-clickhouse-password';

/** The server binary: CLICKHOUSE_BIN, else clickhouse-server (Debian) or clickhouse (the single binary). */
export function clickhouseBinary() {
  if (process.env.CLICKHOUSE_BIN) {
    if (existsSync(process.env.CLICKHOUSE_BIN)) return process.env.CLICKHOUSE_BIN;
  } else {
    for (const candidate of ['clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', 'clickhouse']) {
      const found = candidate.startsWith('/') ? (existsSync(candidate) ? candidate : undefined) : which(candidate);
      if (found) return found;
    }
  }
  // Installing is .ci/run's job (as root), never the launcher's.
  throw new StartupError('clickhouse-server not found: install it (apt-get install clickhouse-server, as .ci/run does), or use a running one with CLICKHOUSE_URL (npm run dev) / TEST_CLICKHOUSE_URL (npm test)');
}

function serverArgs(binary, configFile) {
  const single = binary.endsWith('/clickhouse') || binary === 'clickhouse';
  return single ? ['server', `--config-file=${configFile}`] : [`--config-file=${configFile}`];
}

// Servers before role-based access control (Debian's 18.16) ignore <grants> in the users file and do not know
// --version either. For them only, allow_databases confines the app user to its database, the nearest
// they can express; newer servers refuse allow_databases next to <grants>, and apply the grant itself.
function hasGrants(binary) {
  try {
    execFileSync(binary, binary.endsWith('/clickhouse') || binary === 'clickhouse' ? ['server', '--version'] : ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function serverConfig(path, ports) {
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

// The base users file a package installs (profiles, quotas, the admin `default`); users.d/ adds the app user
// and confines `default` to loopback, as in the image.
const BASE_USERS = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>2000000000</max_memory_usage><load_balancing>random</load_balancing></default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>::/0</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

const LEGACY_ALLOW_DATABASES = `<?xml version="1.0"?>
<yandex>
  <users><auth_app><allow_databases><database>auth</database></allow_databases></auth_app></users>
</yandex>
`;

async function query(url, sql) {
  const response = await fetch(url, { method: 'POST', body: sql, headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': '' } });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/**
 * Starts a server in `dir`/ch and creates the `auth` database (as compose's entrypoint does with CLICKHOUSE_DB).
 * Returns the HTTP port, the server version, the connection env (CLICKHOUSE_*, TEST_CLICKHOUSE_URL) and stop().
 * Throws StartupError with one line when the binary is missing or the server does not answer.
 */
export async function startClickHouse(dir) {
  const binary = clickhouseBinary();
  const path = join(dir, 'ch');
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'users.d']) mkdirSync(join(path, sub), { recursive: true });
  const ports = { http: await freePort(), tcp: await freePort() };
  writeFileSync(join(path, 'config.xml'), serverConfig(path, ports));
  writeFileSync(join(path, 'users.xml'), BASE_USERS);
  copyFileSync(APP_USER_FILE, join(path, 'users.d', 'auth_app.xml'));
  if (!hasGrants(binary)) writeFileSync(join(path, 'users.d', 'legacy-allow-databases.xml'), LEGACY_ALLOW_DATABASES);
  const args = serverArgs(binary, join(path, 'config.xml'));
  const child = spawn(binary, args, {
    cwd: path,
    detached: true,
    stdio: 'ignore',
    // users.d/auth_app.xml reads the app user's password from this variable, as in compose.
    env: { ...process.env, AUTH_APP_CLICKHOUSE_PASSWORD: APP_PASSWORD },
  });
  child.unref();
  // The pid with its start time and command line, so a stop never signals another process that got the pid.
  writeFileSync(join(path, 'server.pid'), JSON.stringify(processIdentity(child.pid, [binary, ...args])));
  const url = `http://127.0.0.1:${ports.http}`;
  const stop = () => stopClickHouse(dir);
  let version;
  try {
    await waitFor(async () => (await fetch(`${url}/ping`)).ok, 'ClickHouse', 90_000);
    await query(url, 'CREATE DATABASE IF NOT EXISTS auth');
    version = (await query(url, 'SELECT version()')).trim();
  } catch (error) {
    stop();
    throw new StartupError(`${firstLine(error)} (its log: ${join(path, 'server.err.log')})`);
  }
  return {
    port: ports.http,
    version,
    env: {
      CLICKHOUSE_URL: url,
      CLICKHOUSE_USER: 'auth_app',
      CLICKHOUSE_PASSWORD: APP_PASSWORD,
      CLICKHOUSE_DATABASE: 'auth',
      TEST_CLICKHOUSE_URL: url,
    },
    stop,
  };
}

/**
 * Stops the server started in `dir`/ch, if it still runs, and waits (up to 15 s) until it has exited, so its
 * folder can be removed next. Never throws.
 */
export function stopClickHouse(dir) {
  const pidFile = join(dir, 'ch', 'server.pid');
  if (!existsSync(pidFile)) return;
  let identity;
  try {
    identity = JSON.parse(readFileSync(pidFile, 'utf8'));
  } catch {
    // half-written: nothing we can tell apart from another process
  }
  const pid = identity?.pid;
  if (sameProcess(identity)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < 15_000 && processAlive(pid); waited += 100) Atomics.wait(pause, 0, 0, 100);
  }
  rmSync(pidFile, { force: true });
}

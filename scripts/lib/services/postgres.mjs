// A throwaway PostgreSQL cluster for one run, on a free loopback port. The roles and grants are the ones the
// compose PostgreSQL gets: this runs the same docker/postgres/init-roles.sh with the same variables.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError, firstLine, freePort, runAs, serviceUser, waitFor } from './process.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const INIT_ROLES_SCRIPT = join(repoRoot, 'docker', 'postgres', 'init-roles.sh');

// Local-only passwords for a throwaway cluster bound to 127.0.0.1. Not secrets.
const LOCAL = {
  superPassword: 'local-superuser-password',
  ownerPassword: 'local-owner-password',
  appPassword: 'local-app-password',
};

/** The folder holding initdb and pg_ctl: PG_BINDIR, else pg_config's, else the newest Debian one. */
export function postgresBinDir() {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // pg_config may be the client's only; fall back to the Debian layout.
  }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const version of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
      const dir = join(base, version, 'bin');
      if (existsSync(join(dir, 'initdb'))) return dir;
    }
  }
  throw new StartupError('PostgreSQL server not found (initdb): install it (apt-get install postgresql), or use a running one with DATABASE_URL (npm run dev) / TEST_DATABASE_ADMIN_URL (npm test)');
}

/**
 * Initialises and starts a cluster in `dir`/pg (which must be reachable by the `postgres` user when running
 * as root), then creates the owner and app roles and the `auth` database with docker/postgres/init-roles.sh.
 * Returns the port, the connection env (DATABASE_URL, DATABASE_MIGRATION_URL, TEST_DATABASE_ADMIN_URL), the server
 * log's path (`logFile`), and `start()` / `stop()` for tests that take the server away under a running app.
 * Throws StartupError with one line when a step fails.
 */
export async function startPostgres(dir) {
  const binDir = postgresBinDir();
  const user = serviceUser();
  const pgDir = join(dir, 'pg');
  const dataDir = join(pgDir, 'data');
  const logFile = join(pgDir, 'postgres.log');
  mkdirSync(pgDir, { recursive: true });
  writeFileSync(join(pgDir, 'pwfile'), `${LOCAL.superPassword}\n`);
  if (user) execFileSync('chown', ['-R', `${user}:`, pgDir]);
  const port = await freePort();
  try {
    runAs(user, join(binDir, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '--pwfile', join(pgDir, 'pwfile'),
      '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8',
    ], { cwd: pgDir });
  } catch (error) {
    throw new StartupError(`initdb failed: ${firstLine(error)}`);
  }
  const stop = () => stopPostgres(dir);
  // The same port on every start, so a test can stop the server under a running app and start it again.
  const start = () =>
    runAs(user, join(binDir, 'pg_ctl'), [
      '-D', dataDir, '-l', logFile, '-w', '-t', '60',
      '-o', `-p ${port} -k ${pgDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      'start',
    ], { cwd: pgDir });
  try {
    start();
  } catch (error) {
    stop();
    throw new StartupError(`PostgreSQL did not start (${firstLine(error)}); its log: ${logFile}`);
  }
  const env = {
    DATABASE_URL: `postgres://auth_app:${LOCAL.appPassword}@127.0.0.1:${port}/auth`,
    DATABASE_MIGRATION_URL: `postgres://auth_owner:${LOCAL.ownerPassword}@127.0.0.1:${port}/auth`,
    TEST_DATABASE_ADMIN_URL: `postgres://postgres:${LOCAL.superPassword}@127.0.0.1:${port}/postgres`,
  };
  try {
    const connection = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: LOCAL.superPassword };
    await waitFor(() => execFileSync('psql', ['-X', '-qAt', '-d', 'postgres', '-c', 'select 1'], { env: connection, encoding: 'utf8', stdio: 'pipe' }).trim() === '1', 'PostgreSQL');
    // The same script and variables as compose's first start (docker-compose.yml mounts it into the image).
    execFileSync('sh', [INIT_ROLES_SCRIPT], {
      env: { ...connection, POSTGRES_USER: 'postgres', DATABASE_URL: env.DATABASE_URL, DATABASE_MIGRATION_URL: env.DATABASE_MIGRATION_URL },
      stdio: 'pipe',
    });
  } catch (error) {
    stop();
    throw error instanceof StartupError ? error : new StartupError(`PostgreSQL roles could not be created: ${firstLine(error)}`);
  }
  return { port, env, logFile, start, stop };
}

/** Stops the cluster in `dir`/pg if it runs (fast shutdown); a no-op otherwise. Never throws. */
export function stopPostgres(dir) {
  const dataDir = join(dir, 'pg', 'data');
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  try {
    runAs(serviceUser(), join(postgresBinDir(), 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], { cwd: join(dir, 'pg') });
  } catch (error) {
    process.stderr.write(`[services] pg_ctl stop failed: ${firstLine(error)}\n`);
  }
}

// A PostgreSQL server of the test file's own, started by scripts/lib/services/postgres.mjs (initdb + pg_ctl) in a
// temporary folder: for tests that read the server log or stop the server under a running app, which
// they must never do to the server the other test files share.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ServicesModule {
  startPostgres(dir: string): Promise<{ env: Record<string, string>; logFile: string; start(): void; stop(): void }>;
}

export interface PrivatePostgres {
  /** Superuser URL, for createTestDatabase({ adminUrl }). */
  adminUrl: string;
  /** The server log as written so far (pg_ctl -l). */
  log(): string;
  /** Stops the server (pg_ctl stop -m fast: open connections are terminated with 57P01). */
  stop(): void;
  /** Starts it again on the same port, with the same data. */
  start(): void;
  /** Stops the server and deletes its folder. */
  remove(): void;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const services = (await import(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'services', 'postgres.mjs')).href)) as ServicesModule;
  const dir = mkdtempSync(join(tmpdir(), 'auth-test-pg-'));
  // As root, PostgreSQL runs PostgreSQL as the postgres user, which must be able to enter the folder.
  chmodSync(dir, 0o755);
  const server = await services.startPostgres(dir);
  let running = true;
  return {
    adminUrl: server.env.TEST_DATABASE_ADMIN_URL!,
    log: () => readFileSync(server.logFile, 'utf8'),
    stop() {
      server.stop();
      running = false;
    },
    start() {
      server.start();
      running = true;
    },
    remove() {
      if (running) server.stop();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

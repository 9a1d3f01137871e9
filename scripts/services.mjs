#!/usr/bin/env node
// Starts (or stops) a throwaway PostgreSQL and ClickHouse natively, for `npm run dev` and `npm test` on machines
// without Docker. One service per module in scripts/lib/services/; this file runs them together and is the CLI.
// Their data lives in a fresh folder under the system temporary folder, never in the checkout (the `postgres`
// user cannot enter a checkout in a private folder), and they listen on free loopback ports only.
//
//   node scripts/services.mjs start [--dir DIR]   prints KEY=VALUE lines (also written to DIR/services.env)
//   node scripts/services.mjs stop  --dir DIR    stops them and deletes DIR
//
// The env it prints uses the same names as .env.example, plus TEST_* names that the test suites use
// to create one database per test file.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './lib/cli.mjs';
import { startClickHouse, stopClickHouse } from './lib/services/clickhouse.mjs';
import { startPostgres, stopPostgres } from './lib/services/postgres.mjs';
import { StartupError, log, newServicesDir } from './lib/services/process.mjs';

export { newServicesDir };

/** Stops whatever runs from `dir` (both services). Never throws. */
export function stopServices(dir) {
  stopPostgres(dir);
  stopClickHouse(dir);
}

/**
 * Starts the chosen services into `dir` and returns their env and a stop(). When one fails to start, what
 * was already started is stopped before the StartupError propagates.
 */
export async function startServices(dir, { postgres = true, clickhouse = true } = {}) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // the `postgres` user must reach its subfolder (a parent in a private folder still stops it)
  const env = {};
  try {
    if (postgres) {
      const pg = await startPostgres(dir);
      Object.assign(env, pg.env);
      log(`PostgreSQL on 127.0.0.1:${pg.port}`);
    }
    if (clickhouse) {
      const ch = await startClickHouse(dir);
      Object.assign(env, ch.env);
      log(`ClickHouse ${ch.version} on 127.0.0.1:${ch.port}`);
    }
  } catch (error) {
    stopServices(dir);
    throw error;
  }
  writeFileSync(join(dir, 'services.env'), Object.entries(env).map(([key, value]) => `${key}=${value}\n`).join(''));
  return { env, stop: () => stopServices(dir) };
}

/**
 * The services one run of tests or benchmarks needs: the configured ones when TEST_DATABASE_ADMIN_URL and
 * TEST_CLICKHOUSE_URL are set (e.g. CI service containers), else throwaway native ones in a fresh folder
 * under the temporary folder. Returns the env to run with and a stop() that stops them and removes the folder.
 * `onDir` is called with that folder before anything starts, so a signal handler can stop what a start that
 * it interrupts has started (`stopServices(dir)`).
 */
export async function servicesForRun(baseEnv = process.env, prefix = 'services-', onDir = () => {}) {
  const env = { ...baseEnv };
  const postgres = !env.TEST_DATABASE_ADMIN_URL;
  const clickhouse = !env.TEST_CLICKHOUSE_URL;
  if (!postgres && !clickhouse) return { env, stop: () => {} };
  const dir = newServicesDir(prefix);
  onDir(dir);
  let services;
  try {
    services = await startServices(dir, { postgres, clickhouse });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    env: { ...env, ...services.env },
    dir,
    stop: () => {
      if (stopped) return;
      stopped = true;
      services.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runMain('services', async () => {
    const [command = 'start'] = process.argv.slice(2);
    const index = process.argv.indexOf('--dir');
    const dirArgument = index >= 0 ? process.argv[index + 1] : undefined;
    if (command === 'start') {
      const dir = dirArgument ? resolve(dirArgument) : newServicesDir('services-');
      const { env } = await startServices(dir);
      for (const [key, value] of Object.entries(env)) process.stdout.write(`${key}=${value}\n`);
      log(`stop with: node scripts/services.mjs stop --dir ${dir}`);
    } else if (command === 'stop') {
      if (!dirArgument) throw new StartupError('stop needs --dir DIR (the folder `start` printed)');
      stopServices(resolve(dirArgument));
      rmSync(resolve(dirArgument), { recursive: true, force: true });
    } else {
      throw new StartupError(`unknown command ${command}: use start or stop`);
    }
  });
}

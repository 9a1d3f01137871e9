#!/usr/bin/env node
// Runs one command with PostgreSQL and ClickHouse available: the configured ones when
// TEST_DATABASE_ADMIN_URL / TEST_CLICKHOUSE_URL are set, else throwaway native ones for the run.
//   node scripts/with-services.mjs npm --workspace app run bench
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServices } from './services.mjs';
import { ensureArgon2 } from './lib/preflight.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-services.mjs <command> [args...]\n');
  process.exit(2);
}

ensureArgon2();
const env = { ...process.env };
let services;
let servicesDir;
if (!env.TEST_DATABASE_ADMIN_URL || !env.TEST_CLICKHOUSE_URL) {
  mkdirSync(join(repoRoot, '.local'), { recursive: true });
  servicesDir = mkdtempSync(join(repoRoot, '.local', 'services-'));
  services = await startServices(servicesDir, { postgres: !env.TEST_DATABASE_ADMIN_URL, clickhouse: !env.TEST_CLICKHOUSE_URL });
  Object.assign(env, services.env);
}

const child = spawn(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
const stop = () => {
  if (!services) return;
  services.stop();
  rmSync(servicesDir, { recursive: true, force: true });
  services = undefined;
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});

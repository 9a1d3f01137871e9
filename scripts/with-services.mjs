#!/usr/bin/env node
// Runs one command with PostgreSQL and ClickHouse available: the configured ones when
// TEST_DATABASE_ADMIN_URL / TEST_CLICKHOUSE_URL are set, else throwaway native ones for the run.
//   node scripts/with-services.mjs npm --workspace app run bench
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './lib/cli.mjs';
import { ensureArgon2 } from './lib/preflight.mjs';
import { servicesForRun } from './services.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-services.mjs <command> [args...]\n');
  process.exit(2);
}

let services;
await runMain('services', async () => {
  ensureArgon2();
  services = await servicesForRun();
});

const child = spawn(command, args, { cwd: repoRoot, env: services.env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  services.stop();
  process.exit(code ?? (signal ? 1 : 0));
});

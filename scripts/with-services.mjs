#!/usr/bin/env node
// Runs one command with PostgreSQL and ClickHouse available: the configured ones when
// TEST_DATABASE_ADMIN_URL / TEST_CLICKHOUSE_URL are set, else throwaway native ones for the run.
//   node scripts/with-services.mjs npm --workspace app run bench
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './lib/cli.mjs';
import { ensureArgon2 } from './lib/preflight.mjs';
import { rmSync } from 'node:fs';
import { servicesForRun, stopServices } from './services.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-services.mjs <command> [args...]\n');
  process.exit(2);
}

let services;
let servicesDir;
let child;
// Installed before anything starts: Ctrl-C during the start-up stops what was started so far (a server
// records itself in the folder as soon as it is spawned); once the command runs, the signal goes to it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child) {
      child.kill(signal);
      return;
    }
    if (servicesDir) {
      stopServices(servicesDir);
      rmSync(servicesDir, { recursive: true, force: true });
    }
    process.exit(130);
  });
}
await runMain('services', async () => {
  ensureArgon2();
  services = await servicesForRun(process.env, 'services-', (dir) => {
    servicesDir = dir;
  });
});

child = spawn(command, args, { cwd: repoRoot, env: services.env, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  services.stop();
  process.exit(code ?? (signal ? 1 : 0));
});

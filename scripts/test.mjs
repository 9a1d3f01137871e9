#!/usr/bin/env node
// `npm test`: every suite in the repository, in one command.
// When TEST_DATABASE_ADMIN_URL / TEST_CLICKHOUSE_URL are not set (no services configured, for example
// on a laptop or the CI machine), it starts a throwaway PostgreSQL and ClickHouse natively for the run
// and stops them afterwards. GitHub Actions sets them to its service containers instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServices } from './services.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
let services;
let servicesDir;

const needPostgres = !env.TEST_DATABASE_ADMIN_URL;
const needClickHouse = !env.TEST_CLICKHOUSE_URL;
if (needPostgres || needClickHouse) {
  mkdirSync(join(repoRoot, '.local'), { recursive: true });
  servicesDir = mkdtempSync(join(repoRoot, '.local', 'test-services-'));
  services = await startServices(servicesDir, { postgres: needPostgres, clickhouse: needClickHouse });
  Object.assign(env, services.env);
}

const suites = [
  ['app (ava, real PostgreSQL and ClickHouse)', ['npm', ['--workspace', 'app', 'test']]],
  ['repository checks (ava)', ['npx', ['ava']]],
  ['infrastructure (terraform fmt, validate, test)', ['node', ['scripts/test-iac.mjs']]],
];

const results = [];
for (const [name, [command, args]] of suites) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const { status } = spawnSync(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
  results.push([name, status]);
}

if (services) {
  services.stop();
  rmSync(servicesDir, { recursive: true, force: true });
}

process.stdout.write('\n=== summary ===\n');
for (const [name, status] of results) process.stdout.write(`${status === 0 ? 'ok  ' : 'FAIL'} ${name}\n`);
const failed = results.filter(([, status]) => status !== 0).length;
process.stdout.write(`suites: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);

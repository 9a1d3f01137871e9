#!/usr/bin/env node
// `npm test`: every suite in the repository, in one command.
// When TEST_DATABASE_ADMIN_URL / TEST_CLICKHOUSE_URL are not set (no services configured, for example
// on a laptop or the CI machine), it starts a throwaway PostgreSQL and ClickHouse natively for the run
// and stops them afterwards. GitHub Actions sets them to its service containers instead.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './lib/cli.mjs';
import { ensureArgon2 } from './lib/preflight.mjs';
import { countTests } from './lib/test-summary.mjs';
import { servicesForRun, stopServices } from './services.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let services;
let servicesDir;
let scratch;
const cleanUp = () => {
  if (services) services.stop();
  else if (servicesDir) {
    // interrupted during the start-up: stop what was started so far
    stopServices(servicesDir);
    rmSync(servicesDir, { recursive: true, force: true });
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
};
// Ctrl-C or a kill must not leave the throwaway services running, also during their start-up: the handlers
// come before anything starts.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
await runMain('test', async () => {
  ensureArgon2();
  services = await servicesForRun(process.env, 'test-services-', (dir) => {
    servicesDir = dir;
  });
});
// The suites' temporary files go into one folder of this run (mode 755: the `postgres` user starts clusters
// there for tests run as root), removed at the end, so no run leaves folders behind in the temporary folder.
scratch = mkdtempSync(join(tmpdir(), 'auth-platform-test-'));
chmodSync(scratch, 0o755);
const env = { ...services.env, TMPDIR: scratch };

const suites = [
  ['app (ava, real PostgreSQL and ClickHouse)', ['npm', ['--workspace', 'app', 'test']]],
  ['repository checks (ava)', ['npx', ['ava']]],
  ['infrastructure (terraform fmt, validate, test)', ['node', ['scripts/test-iac.mjs']]],
];

/** Runs a suite, streaming its output, and returns its exit status and the test counts it printed. */
function runSuite(command, args) {
  return new Promise((resolveSuite) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const forward = (stream) => (chunk) => {
      stream.write(chunk);
      output += chunk.toString();
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('close', (status) => resolveSuite({ status, counts: countTests(output) }));
  });
}

const results = [];
for (const [name, [command, args]] of suites) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const { status, counts } = await runSuite(command, args);
  results.push([name, status, counts]);
}

cleanUp();

process.stdout.write('\n=== summary ===\n');
for (const [name, status, counts] of results) {
  process.stdout.write(`${status === 0 ? 'ok  ' : 'FAIL'} ${name}: ${counts.passed} passed, ${counts.failed} failed\n`);
  // Why a suite failed, repeated here: CI logs are often read from their tail.
  if (status !== 0) {
    for (const line of counts.problems.slice(0, 20)) process.stdout.write(`       ${line}\n`);
    if (counts.problems.length > 20) process.stdout.write(`       … and ${counts.problems.length - 20} more above\n`);
  }
}
const failedSuites = results.filter(([, status]) => status !== 0).length;
const passed = results.reduce((total, [, , counts]) => total + counts.passed, 0);
// A suite that failed without printing a failed-test count (a crash, a fmt error) still counts as one failure.
const failed = results.reduce((total, [, status, counts]) => total + (status !== 0 ? Math.max(1, counts.failed) : counts.failed), 0);
process.stdout.write(`suites: ${results.length - failedSuites} passed, ${failedSuites} failed\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(failedSuites === 0 ? 0 : 1);

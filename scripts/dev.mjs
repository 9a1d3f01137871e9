#!/usr/bin/env node
// `npm run dev`: the whole stack on a laptop.
//  - With a working Docker engine (and DEV_NATIVE unset): `docker compose up --build`, configured from .env.
//  - Without one: PostgreSQL and ClickHouse start natively into a fresh folder under the temporary folder, on
//    free loopback ports (or the ones named by DATABASE_URL / CLICKHOUSE_URL in the environment are used), and
//    the app starts in watch mode on 127.0.0.1. The app reads the same variable names from .env (or
//    .env.example when there is no .env) under the real environment, which wins; the connection variables of
//    the file name compose hostnames, so they are replaced by the native services' unless the environment sets them.
// One run per checkout: the running one is recorded in .local/dev-stack.json (DEV_STACK_FILE overrides), which
// also tells the ops scripts where the local services are. A run that was killed (kill -9) is detected by its
// pid, start time and command line (pids are reused), and what it left running is stopped by the next start.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMain } from './lib/cli.mjs';
import { withDotenvFile } from './lib/dotenv.mjs';
import { ensureArgon2 } from './lib/preflight.mjs';
import { StartupError, childPids, commandOf, newServicesDir, processAlive, processIdentity, sameProcess } from './lib/services/process.mjs';
import { startServices, stopServices } from './services.mjs';
import { devStackFile } from './lib/dev-stack.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTION_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_MIGRATION_URL',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
  'CLICKHOUSE_DATABASE',
];
// Every password in this example is one the breached-password check accepts (see README, "Quick start").
const EXAMPLE_BODY = '{"email":"ada@example.com","password":"GOJQCSDqybzVmdjG"}';

function log(message) {
  process.stdout.write(`[dev] ${message}\n`);
}

function dockerEngineAvailable() {
  if (process.env.DEV_NATIVE) return false;
  if (!existsSync(join(repoRoot, 'docker-compose.yml'))) return false;
  const info = spawnSync('docker', ['info'], { stdio: 'ignore' });
  if (info.status !== 0) return false;
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

function runCompose() {
  if (!existsSync(join(repoRoot, '.env'))) throw new StartupError('no .env found: copy .env.example to .env first (cp .env.example .env)');
  log('Docker engine found: docker compose up --build (reset with: docker compose down -v)');
  const child = spawn('docker', ['compose', 'up', '--build'], { cwd: repoRoot, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function stopLeftovers(stack) {
  log(`a previous run (pid ${stack.pid}) ended without cleaning up: stopping what it left running`);
  // Only the very process recorded (pid, start time and command line): pids are reused, after a reboot say.
  if (sameProcess({ pid: stack.appPid, startTime: stack.appStartTime, command: stack.appCommand })) {
    process.kill(stack.appPid, 'SIGTERM');
    for (let waited = 0; waited < 15_000 && processAlive(stack.appPid); waited += 200) await sleep(200);
    try {
      process.kill(-stack.appPid, 'SIGKILL');
    } catch {
      // the whole group is gone
    }
  }
  if (stack.servicesDir && existsSync(stack.servicesDir)) {
    stopServices(stack.servicesDir);
    rmSync(stack.servicesDir, { recursive: true, force: true });
  }
}

/** This run's identity for the record: pid, start time and command line (see sameProcess). */
function selfIdentity() {
  return processIdentity(process.pid, commandOf(process.pid));
}

/** Claims the checkout's one dev run, or throws "already running (pid N)". Stale records are cleaned up first. */
async function claimStack(stackFile) {
  mkdirSync(dirname(stackFile), { recursive: true });
  if (existsSync(stackFile)) {
    let stack = {};
    try {
      stack = JSON.parse(readFileSync(stackFile, 'utf8'));
    } catch {
      // a half-written record: nothing to stop
    }
    if (sameProcess({ pid: stack.pid, startTime: stack.startTime, command: stack.command })) {
      throw new StartupError(`already running (pid ${stack.pid}${stack.url ? `, API on ${stack.url}` : ''}): stop it with Ctrl-C in its terminal, or kill ${stack.pid}`);
    }
    await stopLeftovers(stack);
    rmSync(stackFile, { force: true });
  }
  try {
    writeFileSync(stackFile, JSON.stringify(selfIdentity()), { flag: 'wx' });
  } catch (error) {
    if (error.code === 'EEXIST') throw new StartupError(`another npm run dev is starting (${stackFile}); wait for it, or stop it`);
    throw error;
  }
}

/**
 * Checks that the app will be able to listen on `host`:`port`, before anything starts. Throws a StartupError
 * with one line per cause: PORT not a port number, the port in use (EADDRINUSE), a privileged port
 * (EACCES), HOST not resolving (ENOTFOUND, EAI_AGAIN) or not an address of this machine (EADDRNOTAVAIL).
 */
async function checkListen(port, host) {
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new StartupError(`PORT=${port} is not a port number (0-65535): e.g. PORT=8080 npm run dev`);
  const error = await new Promise((resolveCheck) => {
    const server = createServer();
    server.once('error', resolveCheck);
    server.listen(Number(port), host, () => server.close(() => resolveCheck(undefined)));
  });
  if (!error) return;
  const hint = {
    EADDRINUSE: `port ${port} on ${host} is in use: stop what listens there, or choose another with PORT=<port> npm run dev`,
    EACCES: `port ${port} on ${host} is privileged (below 1024 only root may listen): choose another with PORT=<port> npm run dev`,
    ENOTFOUND: `HOST=${host} does not resolve: unset HOST (127.0.0.1) or give an address of this machine`,
    EAI_AGAIN: `HOST=${host} could not be resolved (no DNS answer): unset HOST (127.0.0.1) or give an address of this machine`,
    EADDRNOTAVAIL: `HOST=${host} is not an address of this machine: unset HOST (127.0.0.1) or give one of its addresses`,
  }[error.code];
  throw new StartupError(hint ?? `cannot listen on ${host}:${port} (${error.code ?? error.message}): check HOST and PORT`);
}

function tsxCli() {
  const require = createRequire(join(repoRoot, 'app', 'package.json'));
  const packageFile = require.resolve('tsx/package.json');
  const { bin } = JSON.parse(readFileSync(packageFile, 'utf8'));
  return join(dirname(packageFile), typeof bin === 'string' ? bin : bin.tsx);
}

async function waitForReady(url, app) {
  let exited = false;
  app.once('exit', () => {
    exited = true;
  });
  // tsx watch keeps running when the app crashes at start (it reruns it on the next save), so say so once.
  const notice = setTimeout(() => log(`the app has not answered ${url}/readyz yet: its lines above say why (saving a file restarts it)`), 60_000);
  notice.unref();
  app.once('exit', () => clearTimeout(notice));
  while (!exited) {
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) {
        clearTimeout(notice);
        return true;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

async function runNative() {
  const envFileName = existsSync(join(repoRoot, '.env')) ? '.env' : '.env.example';
  const stackFile = devStackFile(repoRoot);
  await claimStack(stackFile);
  const stack = selfIdentity();
  const record = () => writeFileSync(stackFile, `${JSON.stringify(stack, null, 2)}\n`);
  let servicesDir;
  let app;
  let cleanedUp = false;
  const cleanUp = () => {
    if (cleanedUp) return;
    cleanedUp = true;
    if (servicesDir) {
      stopServices(servicesDir);
      rmSync(servicesDir, { recursive: true, force: true });
    }
    rmSync(stackFile, { force: true });
  };
  process.on('exit', cleanUp);
  // Installed before anything starts: Ctrl-C during the start-up stops what was started so far (the exit
  // handler above); once the app runs, the signal goes to it (forward, below).
  let signalled = false;
  let forward;
  const onSignal = (signal) => {
    if (signalled) return;
    signalled = true;
    if (forward) return forward(signal);
    log('interrupted during the start-up: stopping what was started');
    process.exit(130);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGHUP', () => onSignal('SIGTERM'));

  // The real environment wins over the file (twelve-factor); empty values mean unset, as in the app.
  const env = withDotenvFile(join(repoRoot, envFileName));
  env.NODE_ENV = env.NODE_ENV === 'production' ? 'development' : env.NODE_ENV || 'development';
  env.HOST = env.HOST || '127.0.0.1';
  const port = env.PORT || '8080';
  await checkListen(port, env.HOST);

  // Services named in the environment are used as they are; only the missing ones start natively.
  const external = { postgres: Boolean(process.env.DATABASE_URL), clickhouse: Boolean(process.env.CLICKHOUSE_URL) };
  const startNative = { postgres: !external.postgres, clickhouse: !external.clickhouse };
  const names = [startNative.postgres && 'PostgreSQL', startNative.clickhouse && 'ClickHouse'].filter(Boolean);
  log(`no Docker engine: ${names.length ? `starting ${names.join(' and ')} natively` : 'using the services named in the environment'} (config from ${envFileName} under the environment)`);
  if (names.length) {
    servicesDir = newServicesDir('dev-');
    stack.servicesDir = servicesDir;
    record();
    const services = await startServices(servicesDir, startNative);
    for (const name of CONNECTION_VARIABLES) {
      if (services.env[name] !== undefined) env[name] = services.env[name];
    }
  }
  if (external.postgres && !process.env.DATABASE_MIGRATION_URL) env.DATABASE_MIGRATION_URL = process.env.DATABASE_URL;

  const migrate = spawnSync('npm', ['--workspace', 'app', 'run', 'migrate'], { cwd: repoRoot, env, stdio: 'inherit' });
  if (migrate.status !== 0) throw new StartupError('migrations failed (the lines above say why)');

  // tsx watch directly, in its own process group: Ctrl-C in the terminal reaches only this script. tsx 4.23
  // relays a signal to the app but force-kills it after a fixed 5 s (killProcess in its dist/cli.mjs; no
  // option changes that), shorter than the app's SHUTDOWN_TIMEOUT_MS. So this script signals the app's
  // process itself (tsx watch's child), waits for its graceful shutdown, then stops tsx watch.
  const appArgs = [tsxCli(), 'watch', '--clear-screen=false', 'src/main.ts'];
  app = spawn(process.execPath, appArgs, {
    cwd: join(repoRoot, 'app'),
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const appIdentity = processIdentity(app.pid, [process.execPath, ...appArgs]);
  Object.assign(stack, { appPid: app.pid, appStartTime: appIdentity.startTime, appCommand: appIdentity.command });
  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  stack.url = url;
  stack.env = Object.fromEntries(CONNECTION_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  record();

  const shutdownLimitMs = (Number(env.SHUTDOWN_TIMEOUT_MS) || 10_000) + 5000;
  forward = async (signal) => {
    if (app.exitCode !== null) return;
    const appProcesses = childPids(app.pid);
    for (const pid of appProcesses) process.kill(pid, signal);
    for (let waited = 0; waited < shutdownLimitMs && appProcesses.some(processAlive); waited += 100) await sleep(100);
    if (appProcesses.some(processAlive)) {
      log(`the app did not stop within SHUTDOWN_TIMEOUT_MS + 5 s: killing it`);
      process.kill(-app.pid, 'SIGKILL');
    } else if (app.exitCode === null) {
      app.kill('SIGTERM'); // tsx watch, whose app has exited: it exits at once
    }
  };
  const exited = new Promise((resolveExit) => app.once('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0))));

  if (await waitForReady(url, app)) {
    log(`API on ${url} (PostgreSQL and ClickHouse data in ${servicesDir ?? 'the services you named'})`);
    log(`try: curl -s -X POST ${url}/v1/users -H 'content-type: application/json' -d '${EXAMPLE_BODY}'`);
    log('stop with Ctrl-C');
  } else if (!signalled) {
    log('the app stopped before /readyz answered (its lines above say why)');
  }
  const code = await exited;
  cleanUp();
  process.exit(signalled ? 0 : code || 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runMain('dev', async () => {
    if (dockerEngineAvailable()) runCompose();
    else {
      ensureArgon2();
      await runNative();
    }
  });
}

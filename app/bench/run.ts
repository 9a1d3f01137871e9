// `npm run bench`: the production build (`node app/dist/main.js`) in its own process, on real PostgreSQL
// and ClickHouse with production settings, driven by a load generator in another process (load.ts), and
// read against references measured in the same run, each in its own process (references/). Every path is
// reported as a ratio to its reference, with p50/p99, non-2xx answers and the app's RSS after it, as a
// markdown table on stdout and as JSON with `--json FILE`. See bench/README.md for how to read it.
//
//   BENCH_SECONDS   measured seconds per path (default 5); a one-second warm-up precedes each
//   BENCH_CPU_PROF  a folder: run the app under `node --cpu-prof` and write its profile there
//
// Needs TEST_DATABASE_ADMIN_URL and the CLICKHOUSE_* variables, as `npm run bench` provides through
// scripts/with-services.mjs.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateSigningJwk } from '../src/auth/signing-keys.ts';
import { loadConfig } from '../src/config/index.ts';
import { variables } from '../src/config/variables.ts';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import type { LoadResult, LoadScenario } from './load.ts';
import { combineRuns, formatTable, hasFailedAnswers, type BenchReport, type PathResult } from './report.ts';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(appDir, 'bench');

/** Before anything is started: one plain line and exit 2. */
function stop(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/** A failure once the run has started: thrown, so that the app and the references are stopped and the
 * database dropped (finally, below), then reported in one plain line. */
class BenchFailure extends Error {}
function fail(message: string): never {
  throw new BenchFailure(message);
}

/** An unexpected error in one line: its message, and the system error code of its cause if any. */
function describe(error: unknown): string {
  const { message, code, cause } = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const detail = code ?? cause?.code ?? cause?.message;
  return detail && !message?.includes(detail) ? `${message} (${detail})` : String(message ?? error);
}

const jsonIndex = process.argv.indexOf('--json');
const jsonArgument = jsonIndex >= 0 ? process.argv[jsonIndex + 1] : undefined;
if (jsonIndex >= 0 && !jsonArgument) stop('--json needs a file name, e.g. `npm run bench -- --json bench.json`');
// Like BENCH_CPU_PROF (below), relative to npm's INIT_CWD.
const jsonFile = jsonArgument ? resolve(process.env.INIT_CWD ?? process.cwd(), jsonArgument) : undefined;
// Checked now, not after minutes of measuring.
if (jsonFile && !existsSync(dirname(jsonFile))) stop(`--json ${jsonArgument}: the folder ${dirname(jsonFile)} does not exist`);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
if (!(seconds > 0)) stop('BENCH_SECONDS must be a positive number of seconds');
// Relative to npm's INIT_CWD, not app/ where the workspace script runs: the repository root through the
// root's `npm run bench` (scripts/with-services.mjs starts the workspace's npm there, and npm sets INIT_CWD
// to its own working folder), the folder typed in for `npm --workspace app run bench`.
const cpuProfileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.INIT_CWD ?? process.cwd(), process.env.BENCH_CPU_PROF) : undefined;
if (!process.env.TEST_DATABASE_ADMIN_URL || !process.env.CLICKHOUSE_URL) {
  stop('PostgreSQL and ClickHouse are not configured: run `npm run bench` (it starts both), or set TEST_DATABASE_ADMIN_URL and CLICKHOUSE_*');
}

const WARMUP_SECONDS = 1;
const LOGIN_CLIENTS = 16;
const REFRESH_CLIENTS = 32;
const GET_CONNECTIONS = 32;
const PASSWORD = 'a measured passphrase 1';
// The production argon2id parameters (the config defaults), for the app and the floor alike.
const argon2Env = {
  ARGON2_MEMORY_KIB: variables.ARGON2_MEMORY_KIB.default,
  ARGON2_ITERATIONS: variables.ARGON2_ITERATIONS.default,
  ARGON2_PARALLELISM: variables.ARGON2_PARALLELISM.default,
};

const children: ChildProcess[] = [];
/** The app's process once spawned, so that a failure can say the app had died. */
let appProcess: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** RSS of a process in bytes, from /proc (Linux). */
function rssBytes(pid: number | undefined): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The first IPC message of a child; a child that ends without one stops the bench. */
function firstMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    // 'exit' may be emitted before a message still in the channel, so only 'close' (channel drained) counts.
    const ended = (code: number | null) => reject(new BenchFailure(`${what} ended (${code}) without an answer`));
    child.once('close', ended);
    child.once('message', (message) => {
      child.off('close', ended);
      resolveMessage(message as T);
    });
  });
}

/** Forks a bench script (TypeScript through tsx) with IPC; its stdout and stderr are the bench's. */
function forkScript(script: string, env: Record<string, string | undefined> = {}): ChildProcess {
  const child = fork(join(benchDir, script), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return child;
}

/** Runs one load scenario in a fresh load-generator process. */
async function runLoad(scenario: LoadScenario): Promise<LoadResult> {
  const child = forkScript('load.ts');
  child.send(scenario);
  const message = await firstMessage<{ result?: LoadResult; error?: string }>(child, 'the load generator');
  child.disconnect();
  if (!message.result) fail(`the load generator failed: ${message.error}`);
  return message.result;
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`the app exited with ${child.exitCode} before it was ready:\n${stderr().slice(-2000)}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return;
      last = `${response.status} ${(await response.text()).slice(0, 200)}`;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  fail(`the app was not ready within 60 seconds (last /readyz: ${last})`);
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

let db: TestDatabase;
try {
  db = await createTestDatabase();
} catch (error) {
  stop(`cannot create a database through TEST_DATABASE_ADMIN_URL (${describe(error)}): run \`npm run bench\` from the repository root, which starts PostgreSQL and ClickHouse`);
}
try {
  // ---- the app: the production build, production settings, limits raised for the run ----
  if (spawnSync('npm', ['run', 'build'], { cwd: appDir, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) fail('`npm --workspace app run build` failed');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const appEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    // As app/Dockerfile's runtime stage sets it (test/dockerfile.test.ts holds the two together).
    MALLOC_ARENA_MAX: '2',
    PORT: String(port),
    LOG_LEVEL: 'info',
    SERVICE_VERSION: 'bench',
    DEPLOY_ENVIRONMENT: 'bench',
    DATABASE_URL: db.url,
    DATABASE_MIGRATION_URL: db.ownerUrl,
    DATABASE_SSL: 'disable',
    JWT_ISSUER: 'https://auth.bench.example',
    JWT_SIGNING_KEYS: JSON.stringify({ keys: [generateSigningJwk('current', 'bench-current'), generateSigningJwk('next', 'bench-next')] }),
    CLICKHOUSE_URL: process.env.CLICKHOUSE_URL!,
    CLICKHOUSE_USER: process.env.CLICKHOUSE_USER ?? '',
    CLICKHOUSE_PASSWORD: process.env.CLICKHOUSE_PASSWORD ?? '',
    CLICKHOUSE_DATABASE: process.env.CLICKHOUSE_DATABASE ?? 'auth',
    HIBP_ENABLED: 'false',
    TRUSTED_PROXY_HOPS: '0',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_BURST: '1000000',
    LOCKOUT_IP_THRESHOLD: '10000',
    LOCKOUT_THRESHOLD: '10000',
    ...argon2Env,
  };
  // The app's own default (or ARGON2_CONCURRENCY when set), so the floor has as many verifications in flight.
  const argon2Concurrency = String(loadConfig({ ...appEnv, ARGON2_CONCURRENCY: process.env.ARGON2_CONCURRENCY }).argon2.concurrency);
  appEnv.ARGON2_CONCURRENCY = argon2Concurrency;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const nodeArgs = [...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []), join(appDir, 'dist', 'main.js')];
  const started = performance.now();
  // Request logs go to /dev/null: written and serialised as in production, without filling the terminal.
  const app = spawn(process.execPath, nodeArgs, { env: appEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(app);
  appProcess = app;
  let appStderr = '';
  app.stderr!.on('data', (chunk: Buffer) => (appStderr = (appStderr + chunk.toString('utf8')).slice(-8000)));
  await waitReady(base, app, () => appStderr);
  const startToReadyMs = Math.round(performance.now() - started);

  // ---- accounts and tokens, made through the app's API before any measurement ----
  const email = (name: string) => `${name}@bench.example`;
  for (let index = 0; index < LOGIN_CLIENTS; index += 1) {
    const registered = await postJson(`${base}/v1/users`, { email: email(`login-${index}`), password: PASSWORD });
    if (registered.status !== 201) fail(`registering a bench account answered ${registered.status}`);
  }
  if ((await postJson(`${base}/v1/users`, { email: email('shared'), password: PASSWORD })).status !== 201) fail('registering the shared account failed');
  const refreshTokens = async (count: number) => {
    const tokens: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const login = await postJson(`${base}/v1/sessions`, { email: email('shared'), password: PASSWORD });
      if (login.status !== 200) fail(`a bench login answered ${login.status}`);
      tokens.push(login.json.refresh_token as string);
    }
    return tokens;
  };
  const appTokens = await refreshTokens(REFRESH_CLIENTS);
  // The bare refresh runs before and after the app's, each time on fresh chains.
  const bareTokens = [await refreshTokens(REFRESH_CLIENTS), await refreshTokens(REFRESH_CLIENTS)];
  const jwksBody = await (await fetch(`${base}/.well-known/jwks.json`)).text();

  // ---- references, each in its own process ----
  const staticServer = forkScript('references/static-server.ts', { BENCH_STATIC_BODY: jwksBody });
  const bareRefresh = forkScript('references/bare-refresh.ts', { DATABASE_URL: db.url, DATABASE_POOL_MAX: variables.DATABASE_POOL_MAX.default });
  const staticUrl = `http://127.0.0.1:${(await firstMessage<{ port: number }>(staticServer, 'the static server')).port}/`;
  const bareRefreshUrl = `http://127.0.0.1:${(await firstMessage<{ port: number }>(bareRefresh, 'the bare refresh server')).port}/`;

  const get = (url: string, headers?: Record<string, string>): LoadScenario => ({ kind: 'autocannon', url, connections: GET_CONNECTIONS, seconds, warmupSeconds: WARMUP_SECONDS, headers });
  const posts = (url: string, bodies: unknown[], chain?: 'refresh_token'): LoadScenario => ({
    kind: 'closed-loop',
    url,
    bodies: bodies.map((body) => JSON.stringify(body)),
    seconds,
    warmupSeconds: WARMUP_SECONDS,
    chain,
  });
  const measured: Record<string, LoadResult & { rssBytes?: number }> = {};
  const measure = async (name: string, scenario: LoadScenario, pid: number | undefined = app.pid) => {
    process.stderr.write(`bench: ${name}\n`);
    measured[name] = { ...(await runLoad(scenario)), rssBytes: rssBytes(pid) };
  };
  const floor = async () => {
    process.stderr.write('bench: argon2id floor\n');
    const child = forkScript('references/argon2-floor.ts', { ...argon2Env, ARGON2_CONCURRENCY: argon2Concurrency, BENCH_SECONDS: String(seconds) });
    const { result } = await firstMessage<{ result: LoadResult & { rssBytes: number } }>(child, 'the argon2 floor');
    child.disconnect();
    return result;
  };

  // Each reference runs next to the paths read against it, before and after them where they are several,
  // so that both see the same machine load; its figure is the mean of its runs.
  const staticRuns: LoadResult[] = [];
  const staticRun = async () => {
    await measure('bare node:http static JSON', get(staticUrl), staticServer.pid);
    staticRuns.push(measured['bare node:http static JSON']!);
  };
  await staticRun();
  await measure('GET /healthz', get(`${base}/healthz`));
  await measure('GET /.well-known/jwks.json', get(`${base}/.well-known/jwks.json`));
  // Made right before its path: an access token lives 15 minutes, and the paths before it take 3 x
  // (BENCH_SECONDS + 1) seconds.
  const accessToken = (await postJson(`${base}/v1/sessions`, { email: email('shared'), password: PASSWORD })).json.access_token as string;
  await measure('GET /v1/me', get(`${base}/v1/me`, { authorization: `Bearer ${accessToken}` }));
  await staticRun();
  measured['bare node:http static JSON'] = combineRuns(staticRuns);
  const floorRuns = [await floor()];
  await measure('POST /v1/sessions, own account each', posts(`${base}/v1/sessions`, Array.from({ length: LOGIN_CLIENTS }, (_, index) => ({ email: email(`login-${index}`), password: PASSWORD }))));
  await measure('POST /v1/sessions, one account', posts(`${base}/v1/sessions`, Array.from({ length: LOGIN_CLIENTS }, () => ({ email: email('shared'), password: PASSWORD }))));
  floorRuns.push(await floor());
  measured['argon2id verify alone'] = combineRuns(floorRuns);
  const bareRefreshRuns: LoadResult[] = [];
  const bareRefreshRun = async (tokens: string[]) => {
    await measure('bare Koa + postgres.js refresh', posts(bareRefreshUrl, tokens.map((token) => ({ refresh_token: token })), 'refresh_token'), bareRefresh.pid);
    bareRefreshRuns.push(measured['bare Koa + postgres.js refresh']!);
  };
  await bareRefreshRun(bareTokens[0]!);
  await measure('POST /v1/tokens/refresh, own chain each', posts(`${base}/v1/tokens/refresh`, appTokens.map((token) => ({ refresh_token: token })), 'refresh_token'));
  await bareRefreshRun(bareTokens[1]!);
  measured['bare Koa + postgres.js refresh'] = combineRuns(bareRefreshRuns);

  const path = (name: string, clients: number, reference: string, target?: { ratio?: number; rssMb?: number; no5xx?: boolean }): PathResult => {
    const result = measured[name]!;
    const referenceResult = measured[reference]!;
    return { name, clients, ...result, reference, referenceRequestsPerSecond: referenceResult.requestsPerSecond, ratio: result.requestsPerSecond / referenceResult.requestsPerSecond, target };
  };
  const report: BenchReport = {
    date: new Date().toISOString(),
    seconds,
    node: process.version,
    cpus: availableParallelism(),
    argon2: { memoryKiB: Number(argon2Env.ARGON2_MEMORY_KIB), iterations: Number(argon2Env.ARGON2_ITERATIONS), parallelism: Number(argon2Env.ARGON2_PARALLELISM), concurrency: Number(argon2Concurrency) },
    startToReadyMs,
    references: {
      'bare node:http static JSON': measured['bare node:http static JSON']!,
      'argon2id verify alone': measured['argon2id verify alone']!,
      'bare Koa + postgres.js refresh': measured['bare Koa + postgres.js refresh']!,
    },
    paths: [
      path('POST /v1/sessions, own account each', LOGIN_CLIENTS, 'argon2id verify alone', { ratio: 0.9, rssMb: 200 }),
      path('POST /v1/sessions, one account', LOGIN_CLIENTS, 'argon2id verify alone', { ratio: 0.85, rssMb: 200, no5xx: true }),
      path('POST /v1/tokens/refresh, own chain each', REFRESH_CLIENTS, 'bare Koa + postgres.js refresh', { ratio: 0.85 }),
      path('GET /.well-known/jwks.json', GET_CONNECTIONS, 'bare node:http static JSON', { ratio: 0.6 }),
      path('GET /healthz', GET_CONNECTIONS, 'bare node:http static JSON', { ratio: 0.6 }),
      path('GET /v1/me', GET_CONNECTIONS, 'bare node:http static JSON'),
    ],
  };
  process.stdout.write(`${formatTable(report)}\n`);
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  if (hasFailedAnswers(report)) process.exitCode = 1;

  // A graceful stop, so that `--cpu-prof` writes its profile.
  // (An app that died during the run has emitted 'exit' already: waiting for it would never end.)
  if (app.exitCode === null && app.signalCode === null) {
    app.kill('SIGTERM');
    await once(app, 'exit');
  } else {
    fail(`the app died during the run (${app.exitCode ?? app.signalCode}):\n${appStderr.slice(-2000)}`);
  }
} catch (error) {
  const died = appProcess && (appProcess.exitCode !== null || appProcess.signalCode !== null) && !(error instanceof BenchFailure);
  const why = died ? `the app died during the run (${appProcess!.exitCode ?? appProcess!.signalCode}), then: ` : '';
  process.stderr.write(`bench: ${why}${error instanceof BenchFailure ? error.message : describe(error)}\n`);
  process.exitCode = 2;
} finally {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await db.drop();
}

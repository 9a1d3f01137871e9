// `npm run bench`: requests per second of /healthz, the JWKS, /v1/me and login, measured in one run
// against an in-process app on a real PostgreSQL, and reported as ratios to /healthz so that results
// compare across machines. Login uses the production argon2 parameters, so its ratio shows the cost of
// password hashing. Set BENCH_SECONDS (default 5) and BENCH_CONNECTIONS (default 10).
// Needs TEST_DATABASE_ADMIN_URL (as `npm test` uses); `node scripts/services.mjs start` prints one.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Registry } from 'prom-client';
import { createKeySet, generateEphemeralKeySet } from '../src/auth/signing-keys.ts';
import { loadConfig } from '../src/config/index.ts';
import { createEventEmitter } from '../src/events/emitter.ts';
import { createNoopSink } from '../src/events/noop-sink.ts';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/observability/logger.ts';
import { pingDatabase } from '../src/store/db.ts';
import { createTestDatabase } from '../test/helpers/database.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const email = 'load-test@example.com';
const password = 'a measured passphrase 1';

const db = await createTestDatabase();
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent', HIBP_ENABLED: 'false' });
const clock = { now: () => Date.now() };
const app = createApp({
  config,
  sql: db.sql,
  keys: createKeySet(generateEphemeralKeySet()),
  clock,
  events: createEventEmitter({ sink: createNoopSink(), clock, serviceVersion: 'bench', environment: 'bench' }),
  logger: createLogger({ level: 'silent' }),
  registry: new Registry(),
  readiness: { postgres: () => pingDatabase(db.sql) },
});
const server = createServer(app.koa.callback());
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const json = { 'content-type': 'application/json' };
const credentials = JSON.stringify({ email, password });
const registered = await fetch(`${base}/v1/users`, { method: 'POST', headers: json, body: credentials });
const login = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: json, body: credentials });
if (registered.status !== 201 || login.status !== 200) throw new Error(`bench setup failed: register ${registered.status}, login ${login.status}`);
const { access_token: accessToken } = (await login.json()) as { access_token: string };

const scenarios: { name: string; options: Partial<autocannon.Options> }[] = [
  { name: 'GET /healthz', options: { url: `${base}/healthz` } },
  { name: 'GET /.well-known/jwks.json', options: { url: `${base}/.well-known/jwks.json` } },
  { name: 'GET /v1/me', options: { url: `${base}/v1/me`, headers: { authorization: `Bearer ${accessToken}` } } },
  { name: 'POST /v1/sessions (argon2id m=19456,t=2)', options: { url: `${base}/v1/sessions`, method: 'POST', headers: json, body: credentials } },
];

const results: { name: string; rps: number; p99: number; errors: number }[] = [];
try {
  for (const scenario of scenarios) {
    // A short warm-up first, so JIT compilation and pool connections do not count against the first endpoint.
    await autocannon({ url: base, connections, duration: 1, ...scenario.options });
    const result = await autocannon({ url: base, connections, duration: seconds, ...scenario.options });
    const errors = result.errors + result.non2xx;
    results.push({ name: scenario.name, rps: result.requests.average, p99: result.latency.p99, errors });
  }
} finally {
  server.closeAllConnections();
  server.close();
  await db.drop();
}

const baseline = results[0]?.rps || 1;
process.stdout.write(`\n${connections} connections, ${seconds}s per endpoint\n`);
process.stdout.write(`${'endpoint'.padEnd(44)}${'req/s'.padStart(10)}${'p99 ms'.padStart(10)}${'vs healthz'.padStart(12)}${'errors'.padStart(8)}\n`);
for (const result of results) {
  process.stdout.write(
    `${result.name.padEnd(44)}${result.rps.toFixed(0).padStart(10)}${String(result.p99).padStart(10)}${(result.rps / baseline).toFixed(3).padStart(12)}${String(result.errors).padStart(8)}\n`,
  );
}
if (results.some((result) => result.errors > 0)) process.exitCode = 1;

// Issue 14 item 1: logins of one account under contention. CONTENTION_CLIENTS clients (default 16) log in
// to the same account in a loop for CONTENTION_SECONDS (default 8), with the correct password, from one
// client IP, with the lockout thresholds raised so that nothing locks; the app is wired as in production
// (composeApp, a pool of DATABASE_POOL_MAX). Prints the answers by status and the 5xx count; the
// PostgreSQL deadlocks of the run are read from pg_stat_database. Exit code 1 when any answer was a 5xx.
// Run: node scripts/with-services.mjs npm --workspace app exec -- tsx bench/login-contention.ts (or set
// TEST_DATABASE_ADMIN_URL as `node scripts/services.mjs start` prints it). ARGON2_* override the hashing cost.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { Registry } from 'prom-client';
import { createKeySet, generateEphemeralKeySet } from '../src/auth/signing-keys.ts';
import { loadConfig } from '../src/config/index.ts';
import { createEventEmitter } from '../src/events/emitter.ts';
import { createNoopSink } from '../src/events/noop-sink.ts';
import { composeApp } from '../src/composition.ts';
import { createLogger } from '../src/observability/logger.ts';
import { pingDatabase } from '../src/store/db.ts';
import { adminUrl, createTestDatabase } from '../test/helpers/database.ts';

const clients = Number(process.env.CONTENTION_CLIENTS ?? 16);
const seconds = Number(process.env.CONTENTION_SECONDS ?? 8);
const email = 'contended@example.com';
const password = 'four quiet lanterns 7';

const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
  LOG_LEVEL: 'silent',
  HIBP_ENABLED: 'false',
  TRUSTED_PROXY_HOPS: '1',
  LOCKOUT_IP_THRESHOLD: '10000',
  LOCKOUT_THRESHOLD: '10000',
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_BURST: '1000000',
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('ARGON2_') || name === 'DATABASE_POOL_MAX')),
});
const db = await createTestDatabase({ poolMax: config.database.poolMax });
const clock = { now: () => Date.now() };
const events = createEventEmitter({ sink: createNoopSink(), clock, serviceVersion: 'bench', environment: 'bench' });
const registry = new Registry();
const { app } = composeApp({
  config,
  sql: db.sql,
  keys: createKeySet(generateEphemeralKeySet()),
  clock,
  events,
  logger: createLogger({ level: 'silent' }),
  registry,
  readiness: { postgres: () => pingDatabase(db.sql) },
});
const server = createServer(app.koa.callback());
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const headers = { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.77' };
const body = JSON.stringify({ email, password });

const statuses = new Map<number, number>();
let deadlocks = 0;
try {
  const registered = await fetch(`${base}/v1/users`, { method: 'POST', headers, body });
  if (registered.status !== 201) throw new Error(`setup failed: register answered ${registered.status}`);
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const response = await fetch(`${base}/v1/sessions`, { method: 'POST', headers, body });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  // Backends report their statistics when they exit: end the pool, then read the database's counter.
  await db.sql.end({ timeout: 5 });
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin<{ deadlocks: string }[]>`select deadlocks::text from pg_stat_database where datname = ${db.name}`;
    deadlocks = Number(row?.deadlocks ?? 0);
  } finally {
    await admin.end({ timeout: 5 });
  }
} finally {
  server.closeAllConnections();
  server.close();
  await db.drop();
}

const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
process.stdout.write(`${clients} clients, ${seconds}s, one account, one IP: ${total} logins (${(total / seconds).toFixed(1)}/s)\n`);
process.stdout.write(`by status: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`);
process.stdout.write(`5xx: ${serverErrors}; PostgreSQL deadlocks: ${deadlocks}\n`);
if (serverErrors > 0) process.exitCode = 1;

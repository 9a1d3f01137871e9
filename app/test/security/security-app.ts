// The service as production wires it (createApp + createSecurityDeps) on a throwaway PostgreSQL,
// listening on loopback, with a controllable clock and an in-memory event sink. For the security tests.
import { createServer, request as sendRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import { createKeySet, generateEphemeralKeySet, type KeySet } from '../../src/auth/signing-keys.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createEventEmitter } from '../../src/events/emitter.ts';
import { createMemorySink, type MemorySink } from '../../src/events/memory-sink.ts';
import { createApp } from '../../src/http/app.ts';
import { createSecurityDeps, type SecurityDeps } from '../../src/http/security-deps.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Sql } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabaseOptions } from '../helpers/database.ts';

/** Cheap argon2 so that hundreds of registrations fit in a test; the timing test overrides it. */
export const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1', ARGON2_PARALLELISM: '1' };

export interface SecurityAppOptions {
  env?: Record<string, string>;
  /** Where and how to create the test database (e.g. on a private server). */
  database?: TestDatabaseOptions;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
}

export interface SecurityApp {
  baseUrl: string;
  config: Config;
  sql: Sql;
  keys: KeySet;
  sink: MemorySink;
  clock: { now: number };
  security: SecurityDeps;
  request(method: string, path: string, options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<TestResponse>;
}

/** Anything with ava's `teardown`: a test's `t`, or a collector for a file-wide app (see token-attacks). */
export type Teardown = Pick<ExecutionContext, 'teardown'>;

export async function startSecurityApp(t: Teardown, options: SecurityAppOptions = {}): Promise<SecurityApp> {
  const database = await createTestDatabase(options.database);
  t.teardown(database.drop);
  const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    HIBP_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    ...FAST_ARGON2,
    ...options.env,
  });
  const keys = createKeySet(generateEphemeralKeySet());
  const sink = createMemorySink();
  const events = createEventEmitter({ sink, clock: { now: () => clock.now }, serviceVersion: 'test', environment: 'test' });
  const registry = new Registry();
  const appClock = { now: () => clock.now };
  const security = createSecurityDeps({ config, sql: database.sql, events, registry, clock: appClock });
  const app = createApp({
    config,
    sql: database.sql,
    keys,
    clock: appClock,
    events,
    logger: createLogger({ level: 'silent' }),
    registry,
    readiness: { postgres: async () => true },
    ...security,
  });
  const server = createServer(app.koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    config,
    sql: database.sql,
    keys,
    sink,
    clock,
    security,
    async request(method, path, requestOptions = {}) {
      const headers: Record<string, string> = { ...requestOptions.headers };
      let body: string | undefined = requestOptions.rawBody;
      if (requestOptions.body !== undefined) {
        body = JSON.stringify(requestOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await httpRequest(baseUrl, path, method, headers, body);
      const text = response.text;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

/**
 * A plain node:http client rather than fetch: nock replaces global fetch, and its fetch interceptor
 * cannot pass request bodies through to loopback, while its http interceptor can.
 */
function httpRequest(baseUrl: string, path: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    // The path goes out byte for byte (a URL would resolve dot segments), so tests can send any spelling.
    const { hostname, port } = new URL(baseUrl);
    const outgoing = sendRequest({ hostname, port, path, method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, item);
        }
        resolve({ status: incoming.statusCode ?? 0, headers: responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Registers a user and logs in; returns the token pair. */
export async function registerAndLogin(app: SecurityApp, email: string, password = 'a sturdy passphrase 42'): Promise<{ access_token: string; refresh_token: string; userId: string }> {
  const registered = await app.request('POST', '/v1/users', { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await app.request('POST', '/v1/sessions', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { ...login.json, userId: registered.json.id };
}

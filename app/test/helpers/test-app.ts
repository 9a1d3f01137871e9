// The one app test harness: the service as production wires it (app/src/composition.ts: composeApp, with
// the PostgreSQL lockout, breached-password screening and the per-IP rate limits) on a real database,
// listening on loopback, with a controllable clock and an in-memory event sink. Tests override what they
// are about: argon2 parameters (cheap by default), the clock, limits (env), and single services.
// Two clients: startTestApp's fetch client checks every response against /openapi.json; startSecurityApp's
// node:http client sends paths byte for byte and works under nock (see httpRequest).
import { once } from 'node:events';
import { createServer, request as sendRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { createKeySet, generateEphemeralKeySet, type KeySet } from '../../src/auth/signing-keys.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createEventEmitter } from '../../src/events/emitter.ts';
import { createMemorySink, type MemorySink } from '../../src/events/memory-sink.ts';
import { composeApp, type ServiceOverrides, type Services } from '../../src/composition.ts';
import type { AuthEventEmitter } from '../../src/events/emitter.ts';
import type { AppDeps } from '../../src/http/app.ts';
import type { Readiness } from '../../src/http/routes/system.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { pingDatabase, type Sql } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.ts';
import { createResponseValidator } from './openapi-validator.ts';

/** Small argon2 parameters (KiB, passes, lanes): most tests are not about hashing, and the suite runs on two cores. */
export const FAST_ARGON2_ENV = { ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1', ARGON2_PARALLELISM: '1' };

/** Cheaper still, so that hundreds of registrations fit in a security test; the timing test overrides it. */
export const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1', ARGON2_PARALLELISM: '1' };

/** What a test may replace: services (composition overrides), the event emitter, readiness checks and HTTP seams. */
export interface TestOverrides extends ServiceOverrides, Pick<AppDeps, 'clientIp' | 'middleware'> {
  events?: AuthEventEmitter;
  readiness?: Readiness;
  /** Milliseconds since the epoch; defaults to the harness's TestClock. */
  clock?: { now(): number };
  /** Replaces global fetch for the breached-password API. */
  fetch?: typeof fetch;
}

interface Wired {
  server: ReturnType<typeof createServer>;
  url: string;
  config: Config;
  keys: KeySet;
  sink: MemorySink;
  registry: Registry;
  services: Services;
  app: ReturnType<typeof composeApp>['app'];
  logs(): string;
}

/**
 * Wires the app as main.ts does (composeApp) and listens on an ephemeral loopback port.
 * HIBP is off unless the env turns it on (tests never reach the real API).
 */
async function wire(sql: Sql, env: Record<string, string>, clock: { now(): number }, overrides: TestOverrides, defaultReadiness: Readiness, keys?: KeySet): Promise<Wired> {
  const config = loadConfig({ NODE_ENV: 'test', HIBP_ENABLED: 'false', ...env });
  const sink = createMemorySink();
  const registry = new Registry();
  const logStream = new PassThrough();
  const logChunks: Buffer[] = [];
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  const logger = createLogger({ level: config.logLevel, destination: logStream });
  const appClock = overrides.clock ?? clock;
  const events = overrides.events ?? createEventEmitter({ sink, clock: appClock, serviceVersion: 'test', environment: 'test' });
  const { passwords, loginThrottle, breachedPasswords, clientIp, middleware } = overrides;
  const signing = keys ?? createKeySet(generateEphemeralKeySet());
  const { app, services } = composeApp(
    { config, sql, keys: signing, clock: appClock, events, logger, registry, readiness: overrides.readiness ?? defaultReadiness, fetch: overrides.fetch, http: { clientIp, middleware } },
    { passwords, loginThrottle, breachedPasswords },
  );
  const server = createServer(app.koa.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, config, keys: signing, sink, registry, services, app, logs: () => Buffer.concat(logChunks).toString('utf8') };
}

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function createTestClock(start = Date.UTC(2030, 0, 1)): TestClock {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms) };
}

export interface TestResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  json?: unknown;
  /** A raw body (string or bytes), sent as is. */
  body?: string | Uint8Array;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  url: string;
  config: Config;
  keys: KeySet;
  clock: TestClock;
  sink: MemorySink;
  registry: Registry;
  /** The domain services the app routes to (as composition.ts built them). */
  services: Services;
  /** Everything the app logged, as raw text. */
  logs(): string;
  request<T = Record<string, unknown>>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** Problems found by the OpenAPI check so far (tests assert this stays empty). */
  undocumented: string[];
  /** `METHOD /path` for every route the router serves. */
  servedRoutes(): string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Configuration; the credential rate limits are generous unless set here (RATE_LIMIT_*). */
  env?: Record<string, string>;
  deps?: TestOverrides;
  keys?: KeySet;
}

/** Rate limits high enough that a functional test's requests from one loopback IP are never refused. */
const GENEROUS_LIMITS = { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' };

/**
 * The app on `db`, with a fetch client whose every response is checked against /openapi.json.
 * @param db - the test database.
 * @param options - env, keys and overrides.
 * @returns the running app; close it when done.
 */
export async function startTestApp(db: TestDatabase, options: TestAppOptions = {}): Promise<TestApp> {
  const clock = createTestClock();
  const env = { DATABASE_URL: db.url, LOG_LEVEL: 'info', ...FAST_ARGON2_ENV, ...GENEROUS_LIMITS, ...options.env };
  const { server, url, config, keys, sink, registry, services, app, logs } = await wire(db.sql, env, clock, options.deps ?? {}, { postgres: () => pingDatabase(db.sql) }, options.keys);
  const check = createResponseValidator(app.openapi);
  const undocumented: string[] = [];

  return {
    url,
    config,
    keys,
    clock,
    sink,
    registry,
    services,
    undocumented,
    servedRoutes: () => app.servedRoutes(),
    logs,
    async request<T>(method: string, path: string, request: RequestOptions = {}) {
      const headers: Record<string, string> = { ...request.headers };
      let body: string | Uint8Array | undefined = request.body;
      if (request.json !== undefined) {
        body = JSON.stringify(request.json);
        headers['content-type'] ??= 'application/json';
      }
      if (request.token) headers.authorization = `Bearer ${request.token}`;
      // A Uint8Array is a valid fetch body (Fetch standard, BodyInit); the root tsconfig's lib types narrow it away.
      const response = await fetch(`${url}${path}`, { method, headers, body: body as RequestInit['body'] });
      const text = await response.text();
      const contentType = response.headers.get('content-type');
      let parsed: unknown = text;
      if (contentType?.includes('json') && text) parsed = JSON.parse(text);
      for (const problem of check({ method, path, status: response.status, contentType, body: parsed })) undocumented.push(`${method} ${path} ${response.status}: ${problem}`);
      return { status: response.status, headers: response.headers, body: parsed as T, text };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const PASSWORD = 'correct horse battery staple';

/** Registers a user and logs in; returns the token pair. */
export async function registerAndLogin(app: TestApp, email: string, password = PASSWORD) {
  const registered = await app.request('POST', '/v1/users', { json: { email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await app.request<{ access_token: string; refresh_token: string }>('POST', '/v1/sessions', { json: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { userId: (registered.body as { id: string }).id, ...login.body };
}

export interface SecurityAppOptions {
  env?: Record<string, string>;
  /** Where and how to create the test database (e.g. on a private server). */
  database?: TestDatabaseOptions;
  /** Services or seams to replace; the clock stays the harness's (`app.clock.now`) unless given here. */
  deps?: TestOverrides;
}

export interface RawResponse {
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
  /** The domain services the app routes to (as composition.ts built them). */
  services: Services;
  /** Everything the app logged, as raw text (LOG_LEVEL silent unless the env sets it). */
  logs(): string;
  request(method: string, path: string, options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<RawResponse>;
}

/** Anything with ava's `teardown`: a test's `t`, or a collector for a file-wide app (see token-attacks). */
export type Teardown = Pick<ExecutionContext, 'teardown'>;

/**
 * The app on a fresh database with production's defaults for lockout and rate limits (the security
 * tests are about them), a clock the test moves by assigning `clock.now` (ms), and a node:http client.
 * @param t - registers the teardown of the database and the server.
 * @param options - env and where to create the database.
 * @returns the running app.
 */
export async function startSecurityApp(t: Teardown, options: SecurityAppOptions = {}): Promise<SecurityApp> {
  const database = await createTestDatabase(options.database);
  t.teardown(database.drop);
  const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
  const env = { DATABASE_URL: 'postgres://unused@127.0.0.1/unused', LOG_LEVEL: 'silent', ...FAST_ARGON2, ...options.env };
  const { server, url: baseUrl, config, keys, sink, services, logs } = await wire(database.sql, env, { now: () => clock.now }, options.deps ?? {}, { postgres: async () => true });
  t.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));

  return {
    baseUrl,
    config,
    sql: database.sql,
    keys,
    sink,
    clock,
    services,
    logs,
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
export async function registerAndLoginRaw(app: SecurityApp, email: string, password = 'a sturdy passphrase 42'): Promise<{ access_token: string; refresh_token: string; userId: string }> {
  const registered = await app.request('POST', '/v1/users', { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await app.request('POST', '/v1/sessions', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { ...login.json, userId: registered.json.id };
}

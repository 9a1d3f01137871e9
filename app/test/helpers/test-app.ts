// Builds the real app (createApp) on a real database, listens on an ephemeral port and offers a small
// fetch client. Every response the client sees is checked against /openapi.json.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { createKeySet, generateEphemeralKeySet, type KeySet } from '../../src/auth/signing-keys.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createEventEmitter } from '../../src/events/emitter.ts';
import { createMemorySink, type MemorySink } from '../../src/events/memory-sink.ts';
import { createApp, type AppDeps } from '../../src/http/app.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { pingDatabase } from '../../src/store/db.ts';
import type { TestDatabase } from './database.ts';
import { createResponseValidator } from './openapi-validator.ts';

/** Small argon2 parameters: most tests are not about hashing, and the suite runs on two cores. */
export const FAST_ARGON2_ENV = { ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1', ARGON2_PARALLELISM: '1' };

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
  env?: Record<string, string>;
  deps?: Partial<AppDeps>;
  keys?: KeySet;
}

export async function startTestApp(db: TestDatabase, options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'info', ...FAST_ARGON2_ENV, ...options.env });
  const keys = options.keys ?? createKeySet(generateEphemeralKeySet());
  const clock = createTestClock();
  const sink = createMemorySink();
  const registry = new Registry();
  const logStream = new PassThrough();
  const logChunks: Buffer[] = [];
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  const logger = createLogger({ level: config.logLevel, destination: logStream });
  const events = createEventEmitter({ sink, clock, serviceVersion: 'test', environment: 'test' });
  const app = createApp({
    config,
    sql: db.sql,
    keys,
    clock,
    events,
    logger,
    registry,
    readiness: { postgres: () => pingDatabase(db.sql) },
    ...options.deps,
  });
  const server = createServer(app.koa.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const check = createResponseValidator(app.openapi);
  const undocumented: string[] = [];

  return {
    url,
    config,
    keys,
    clock,
    sink,
    registry,
    undocumented,
    servedRoutes: () => app.servedRoutes(),
    logs: () => Buffer.concat(logChunks).toString('utf8'),
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

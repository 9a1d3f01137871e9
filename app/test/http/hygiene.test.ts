import test from 'ava';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { startTestApp } from '../helpers/test-app.ts';
import { RATE_LIMITED_ENDPOINTS } from '../../src/http/rate-limit.ts';

const { app, db } = sharedTestApp(test);

type ErrorBody = { error: { code: string; message: string } };

test('every response carries a request id and the security headers', async (t) => {
  for (const [method, path] of [['GET', '/healthz'], ['GET', '/nowhere'], ['POST', '/v1/users']] as const) {
    const response = await app.request(method, path);
    t.regex(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    t.is(response.headers.get('strict-transport-security'), 'max-age=63072000; includeSubDomains');
    t.is(response.headers.get('x-content-type-options'), 'nosniff');
    t.is(response.headers.get('referrer-policy'), 'no-referrer');
    t.is(response.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    t.is(response.headers.get('x-frame-options'), 'DENY');
  }
});

test('a sane incoming request id is kept, anything else replaced', async (t) => {
  const kept = await app.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc.123:4' } });
  t.is(kept.headers.get('x-request-id'), 'trace-abc.123:4');
  t.true(app.logs().includes('"requestId":"trace-abc.123:4"'));
  for (const bad of ['short', 'x'.repeat(200), 'has spaces in it', '<script>alert(1)</script>']) {
    const replaced = await app.request('GET', '/healthz', { headers: { 'x-request-id': bad } });
    t.regex(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  }
});

test('an unknown path is a JSON 404 not_found', async (t) => {
  const response = await app.request<ErrorBody>('GET', '/v2/users');
  t.is(response.status, 404);
  t.is(response.body.error.code, 'not_found');
});

test('a wrong method is a JSON 405 method_not_allowed with Allow', async (t) => {
  const response = await app.request<ErrorBody>('PUT', '/v1/users');
  t.is(response.status, 405);
  t.is(response.body.error.code, 'method_not_allowed');
  t.is(response.headers.get('allow'), 'POST');
  const patch = await app.request<ErrorBody>('PATCH', '/v1/me');
  t.is(patch.status, 405);
  t.regex(patch.headers.get('allow') ?? '', /GET/);
});

test('/healthz answers 200 ok', async (t) => {
  const response = await app.request('GET', '/healthz');
  t.is(response.status, 200);
  t.deepEqual(response.body, { status: 'ok' });
});

test('/readyz reports PostgreSQL and ClickHouse', async (t) => {
  const ready = await app.request('GET', '/readyz');
  t.is(ready.status, 200);
  t.deepEqual(ready.body, { status: 'ok', checks: { postgres: 'ok', clickhouse: 'disabled' } });

  const variants = [
    { readiness: { postgres: async () => true, clickhouse: async () => true }, status: 200, clickhouse: 'ok' },
    { readiness: { postgres: async () => true, clickhouse: async () => false }, status: 200, clickhouse: 'degraded' },
    { readiness: { postgres: async () => false, clickhouse: async () => true }, status: 503, clickhouse: undefined },
    // A check that never answers counts as down (bounded by the readiness deadline), not as a hung request.
    { readiness: { postgres: () => new Promise<boolean>(() => {}) }, status: 503, clickhouse: undefined },
    { readiness: { postgres: async () => true, clickhouse: () => new Promise<boolean>(() => {}) }, status: 200, clickhouse: 'degraded' },
  ];
  for (const variant of variants) {
    const other = await startTestApp(db, { deps: { readiness: variant.readiness } });
    const response = await other.request<{ checks: { clickhouse: string } } & ErrorBody>('GET', '/readyz');
    await other.close();
    t.is(response.status, variant.status);
    if (variant.clickhouse) t.is(response.body.checks.clickhouse, variant.clickhouse);
    else t.is(response.body.error.code, 'unavailable');
    t.deepEqual(other.undocumented, []);
  }
});

test('an unexpected failure is a generic 500 that leaks nothing, logged with the request id', async (t) => {
  const failing = await startTestApp(db, {
    deps: { readiness: { postgres: async () => { throw new Error('connection to 10.0.0.7 failed: password authentication for auth_app'); } } },
  });
  t.teardown(() => failing.close());
  const response = await failing.request<ErrorBody>('GET', '/readyz');
  t.is(response.status, 500);
  t.deepEqual(response.body, { error: { code: 'internal_error', message: 'Internal error.' } });
  t.false(response.text.includes('10.0.0.7'));
  const requestId = response.headers.get('x-request-id')!;
  const errorLine = failing.logs().split('\n').find((line) => line.includes('"level":"error"'));
  t.truthy(errorLine);
  t.true(errorLine!.includes(requestId));
  t.true(errorLine!.includes('10.0.0.7'), 'the detail goes to the log, not the client');
});

test('/metrics exposes request counts by route and status and argon2 timings', async (t) => {
  await app.request('POST', '/v1/users', { json: { email: 'metrics@example.com', password: 'a long enough passphrase' } });
  await app.request('GET', '/healthz');
  const response = await app.request('GET', '/metrics');
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain/);
  t.regex(response.text, /http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  t.regex(response.text, /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/users",status="201"\}/);
  t.regex(response.text, /argon2_duration_seconds_count\{operation="hash"\} [1-9]/);
});

test('every route the router serves is in /openapi.json, and every documented operation is served', async (t) => {
  const response = await app.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
  const documented = Object.entries(response.body.paths)
    // OpenAPI writes path parameters as {name}, koa-router as :name.
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  const served = app.servedRoutes();
  t.true(served.length >= 12);
  t.deepEqual([...new Set(served)].sort(), [...new Set(documented)].sort());
});

test('/openapi.json documents every route, with request schemas from the validators', async (t) => {
  const response = await app.request<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: object }>> }>('GET', '/openapi.json');
  t.is(response.status, 200);
  t.is(response.body.openapi, '3.1.0');
  const documented = Object.entries(response.body.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
  const expected = [
    'POST /v1/users', 'POST /v1/sessions', 'POST /v1/tokens/refresh', 'DELETE /v1/sessions/current', 'DELETE /v1/sessions',
    'GET /v1/me', 'POST /v1/me/password', 'GET /.well-known/jwks.json', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json',
  ];
  t.deepEqual(documented.sort(), expected.sort());
  const register = response.body.paths['/v1/users']!.post!;
  t.like(register.requestBody, { required: true, content: { 'application/json': { schema: { required: ['email', 'password'] } } } });
  t.deepEqual(Object.keys(register.responses).sort(), ['201', '400', '409', '413', '415', '422', '429', '500', '503']);
});

test('/openapi.json documents the database 503 only on the routes that use PostgreSQL', async (t) => {
  const response = await app.request<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>('GET', '/openapi.json');
  const with503 = Object.entries(response.body.paths).flatMap(([path, methods]) =>
    Object.entries(methods).filter(([, operation]) => '503' in operation.responses).map(([method]) => `${method.toUpperCase()} ${path}`));
  t.deepEqual(with503.sort(), [
    'POST /v1/users', 'POST /v1/sessions', 'POST /v1/tokens/refresh', 'DELETE /v1/sessions/current', 'DELETE /v1/sessions',
    'GET /v1/me', 'POST /v1/me/password', 'GET /readyz',
  ].sort(), '/healthz, the JWKS, /metrics and /openapi.json never touch PostgreSQL');
});

test('every rate-limited endpoint is a route the router serves, so a renamed route cannot silently lose its limit', (t) => {
  const served = new Set(app.servedRoutes());
  for (const endpoint of RATE_LIMITED_ENDPOINTS) t.true(served.has(endpoint), `${endpoint} is served`);
});

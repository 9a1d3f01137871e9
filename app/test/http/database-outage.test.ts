// Issue 14 item 6: PostgreSQL stops under the running app. Every request that needs the database answers
// 503 `unavailable` with Retry-After (never 500, never a hang), /readyz fails, /healthz and the JWKS stay
// up, and when PostgreSQL is back the app recovers by itself, with the same pool and no restart. The
// server is the test's own (scripts/services.mjs), stopped with pg_ctl stop -m fast and started again.
import test from 'ava';
import { createTestDatabase } from '../helpers/database.ts';
import { startPrivatePostgres } from '../helpers/private-postgres.ts';
import { PASSWORD, registerAndLogin, startTestApp, type TestApp, type TestResponse } from '../helpers/test-app.ts';

/** Every operation that needs PostgreSQL, with what it sends. */
function databaseRequests(tokens: { access_token: string; refresh_token: string }): Array<[string, string, Parameters<TestApp['request']>[2]]> {
  return [
    ['POST', '/v1/users', { json: { email: 'newcomer@example.com', password: PASSWORD } }],
    ['POST', '/v1/sessions', { json: { email: 'owner@example.com', password: PASSWORD } }],
    ['POST', '/v1/tokens/refresh', { json: { refresh_token: tokens.refresh_token } }],
    ['GET', '/v1/me', { token: tokens.access_token }],
    ['POST', '/v1/me/password', { token: tokens.access_token, json: { current_password: PASSWORD, new_password: 'another long passphrase 8' } }],
    ['DELETE', '/v1/sessions/current', { token: tokens.access_token }],
    ['DELETE', '/v1/sessions', { token: tokens.access_token }],
  ];
}

function assertUnavailable(t: import('ava').ExecutionContext, response: TestResponse, what: string) {
  t.is(response.status, 503, what);
  t.deepEqual(response.body, { error: { code: 'unavailable', message: 'The service is temporarily unavailable.' } }, what);
  t.regex(response.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, `${what}: Retry-After in seconds`);
}

test('PostgreSQL stopped under the running app: 503 with Retry-After, /readyz fails, /healthz stays up; back by itself once PostgreSQL is', async (t) => {
  const server = await startPrivatePostgres();
  t.teardown(() => server.remove());
  const db = await createTestDatabase({ adminUrl: server.adminUrl });
  t.teardown(() => db.drop());
  const app = await startTestApp(db);
  t.teardown(() => app.close());
  const tokens = await registerAndLogin(app, 'owner@example.com');
  t.is((await app.request('GET', '/readyz')).status, 200);

  server.stop();
  // Twice: the first request of each kind finds the pool's dead connections, the second a refused connect.
  for (let round = 0; round < 2; round++) {
    for (const [method, path, options] of databaseRequests(tokens)) {
      assertUnavailable(t, await app.request(method, path, options), `${method} ${path} with PostgreSQL down (${round})`);
    }
  }
  // Twenty at once, after the refused connects above have raised postgres.js's reconnect backoff: every
  // one gets its 503. (With postgres.js's default backoff they queued for up to 77 s; the bound below only
  // catches such a hang, it measures nothing.)
  const parallel = await Promise.race([
    Promise.all(Array.from({ length: 20 }, () => app.request('GET', '/v1/me', { token: tokens.access_token }))),
    new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 45_000).unref()),
  ]);
  t.not(parallel, 'hang', '20 parallel requests during the outage never hang');
  if (parallel !== 'hang') t.is(parallel.filter((response) => response.status === 503).length, 20);
  const readiness = await app.request('GET', '/readyz');
  assertUnavailable(t, readiness, 'GET /readyz');
  t.is((await app.request('GET', '/healthz')).status, 200, 'liveness does not depend on PostgreSQL');
  t.is((await app.request('GET', '/.well-known/jwks.json')).status, 200, 'nor do the public keys');
  const metrics = (await app.request('GET', '/metrics')).text;
  t.regex(metrics, /^database_transient_errors_total\{kind="connection",outcome="unavailable"\} [1-9]/m);
  // A 500 is logged as "request failed" with its status; none may appear (nor a 5xx other than 503).
  t.notRegex(app.logs(), /"status":50[0-24-9]/, 'no 5xx but 503 during the outage');

  server.start();
  // Recovery needs no restart: the pool reconnects on the next query. Poll readiness as a platform would.
  let ready = false;
  for (let poll = 0; poll < 300 && !ready; poll++) {
    ready = (await app.request('GET', '/readyz')).status === 200;
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.true(ready, '/readyz recovers once PostgreSQL is back');
  t.is((await app.request('GET', '/v1/me', { token: tokens.access_token })).status, 200);
  const refreshed = await app.request<{ refresh_token: string }>('POST', '/v1/tokens/refresh', { json: { refresh_token: tokens.refresh_token } });
  t.is(refreshed.status, 200, 'the refresh token refused during the outage was not consumed');
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'owner@example.com', password: PASSWORD } })).status, 200);
  t.is((await app.request('POST', '/v1/users', { json: { email: 'newcomer@example.com', password: PASSWORD } })).status, 201);
  t.deepEqual(app.undocumented, [], 'every answer, 503s included, is documented in the OpenAPI document');
});

// Issue 14 item 1: a transient PostgreSQL failure that reaches the HTTP edge (after the store's bounded
// retries, or where nothing retries) is 503 `unavailable` with Retry-After, counted by kind, never 500.
// The failure is injected through the login-throttle seam as the real postgres.js PostgreSQL error class.
import test from 'ava';
import postgres from 'postgres';
import { sharedTestApp } from '../helpers/shared-app.ts';

let next: string | undefined;
const { app } = sharedTestApp(test, {
  deps: {
    loginThrottle: {
      assertAllowed: async () => {
        if (next) throw new postgres.PostgresError({ code: next, message: 'injected' } as never);
      },
      recordFailure: async () => {},
      recordSuccess: async () => {},
    },
  },
});

for (const [code, kind, retryAfter] of [
  ['40P01', 'deadlock', '1'],
  ['40001', 'serialization_failure', '1'],
  ['55P03', 'lock_timeout', '1'],
  ['57P01', 'connection', '5'],
] as const) {
  test.serial(`SQLSTATE ${code} during a login: 503 unavailable, Retry-After ${retryAfter}, counted as ${kind}`, async (t) => {
    next = code;
    t.teardown(() => (next = undefined));
    const response = await app.request('POST', '/v1/sessions', { json: { email: 'someone@example.com', password: 'a wrong passphrase 99' } });
    t.is(response.status, 503);
    t.deepEqual(response.body, { error: { code: 'unavailable', message: 'The service is temporarily unavailable.' } });
    t.is(response.headers.get('retry-after'), retryAfter);
    const metrics = (await app.request('GET', '/metrics')).text;
    t.regex(metrics, new RegExp(`^database_transient_errors_total\\{kind="${kind}",outcome="unavailable"\\} 1$`, 'm'));
  });
}

test.serial('a permanent database error is still a 500 internal_error, its details never shown', async (t) => {
  next = '42P01';
  t.teardown(() => (next = undefined));
  const response = await app.request('POST', '/v1/sessions', { json: { email: 'someone@example.com', password: 'a wrong passphrase 99' } });
  t.is(response.status, 500);
  t.deepEqual(response.body, { error: { code: 'internal_error', message: 'Internal error.' } });
});

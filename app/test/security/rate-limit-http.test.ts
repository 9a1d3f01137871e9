// Per-IP token buckets on login, register and refresh: 429 rate_limited with Retry-After, keyed by the
// trusted client IP so that a spoofed leftmost X-Forwarded-For cannot buy a new bucket.
import test from 'ava';
import { startSecurityApp } from './security-app.ts';

const env = { TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '3', LOCKOUT_IP_THRESHOLD: '1000', LOCKOUT_THRESHOLD: '1000' };

const endpoints: Array<[string, unknown]> = [
  ['/v1/sessions', { email: 'someone@example.com', password: 'wrong password 123' }],
  ['/v1/users', { email: 'not-an-email', password: 'x' }],
  ['/v1/tokens/refresh', { refresh_token: 'not-a-token' }],
];

for (const [path, body] of endpoints) {
  test(`POST ${path}: the burst passes, then 429 rate_limited with Retry-After; a spoofed leftmost XFF does not help`, async (t) => {
    const app = await startSecurityApp(t, { env });
    const send = (xff: string) => app.request('POST', path, { body, headers: { 'x-forwarded-for': xff } });
    for (let i = 0; i < 3; i++) t.not((await send('198.51.100.1')).status, 429);
    const limited = await send('198.51.100.1');
    t.is(limited.status, 429);
    t.deepEqual(limited.json, { error: { code: 'rate_limited', message: limited.json.error.message } });
    t.is(limited.headers.get('retry-after'), '10');
    for (const spoof of ['1.1.1.1', '10.0.0.1, 127.0.0.1', 'garbage']) {
      t.is((await send(`${spoof}, 198.51.100.1`)).status, 429, `spoofed ${spoof}`);
    }
    t.not((await send('198.51.100.2')).status, 429, 'another client has its own bucket');
    app.clock.now += 10_000;
    t.not((await send('198.51.100.1')).status, 429, 'a token is back after Retry-After');
  });
}

test('the endpoints have separate buckets, and other routes are not limited', async (t) => {
  const app = await startSecurityApp(t, { env });
  const headers = { 'x-forwarded-for': '198.51.100.3' };
  for (let i = 0; i < 4; i++) await app.request('POST', '/v1/tokens/refresh', { body: { refresh_token: 'x' }, headers });
  t.is((await app.request('POST', '/v1/tokens/refresh', { body: { refresh_token: 'x' }, headers })).status, 429);
  t.is((await app.request('POST', '/v1/sessions', { body: { email: 'a@example.com', password: 'wrong password 123' }, headers })).status, 401);
  for (let i = 0; i < 10; i++) t.is((await app.request('GET', '/healthz', { headers })).status, 200);
});

// Security headers on every kind of response (issue 8): success, error, 404, and the public documents.
import test from 'ava';
import { registerAndLoginRaw as registerAndLogin, startSecurityApp } from '../helpers/test-app.ts';

test('HSTS, nosniff, Referrer-Policy and a CSP of default-src none on every response', async (t) => {
  const app = await startSecurityApp(t);
  const { access_token: token } = await registerAndLogin(app, 'headers@example.com');
  const responses = {
    me: await app.request('GET', '/v1/me', { headers: { authorization: `Bearer ${token}` } }),
    unauthorized: await app.request('GET', '/v1/me'),
    badRequest: await app.request('POST', '/v1/sessions', { rawBody: '{', headers: { 'content-type': 'application/json' } }),
    notFound: await app.request('GET', '/nope'),
    health: await app.request('GET', '/healthz'),
    jwks: await app.request('GET', '/.well-known/jwks.json'),
    openapi: await app.request('GET', '/openapi.json'),
  };
  for (const [name, response] of Object.entries(responses)) {
    const hsts = response.headers.get('strict-transport-security') ?? '';
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
    t.true(maxAge >= 31_536_000, `${name}: HSTS max-age of at least a year (${hsts})`);
    t.regex(hsts, /includeSubDomains/i, name);
    t.is(response.headers.get('x-content-type-options'), 'nosniff', name);
    t.is(response.headers.get('referrer-policy'), 'no-referrer', name);
    const csp = (response.headers.get('content-security-policy') ?? '').split(';').map((directive) => directive.trim());
    t.true(csp.includes("default-src 'none'"), `${name}: CSP ${csp.join('; ')}`);
    t.true(csp.includes("frame-ancestors 'none'"), name);
  }
});

test('token responses are never cached', async (t) => {
  const app = await startSecurityApp(t);
  await app.request('POST', '/v1/users', { body: { email: 'cache@example.com', password: 'a sturdy passphrase 42' } });
  const login = await app.request('POST', '/v1/sessions', { body: { email: 'cache@example.com', password: 'a sturdy passphrase 42' } });
  t.is(login.status, 200);
  t.regex(login.headers.get('cache-control') ?? '', /no-store/);
  const refresh = await app.request('POST', '/v1/tokens/refresh', { body: { refresh_token: login.json.refresh_token } });
  t.regex(refresh.headers.get('cache-control') ?? '', /no-store/);
});

import test from 'ava';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { PASSWORD, registerAndLogin } from '../helpers/test-app.ts';

const { app } = sharedTestApp(test, {}, { checkOpenApi: false });

test('register, log in, read /v1/me, refresh and log out', async (t) => {
  const tokens = await registerAndLogin(app, 'smoke@example.com');
  const me = await app.request('GET', '/v1/me', { token: tokens.access_token });
  t.is(me.status, 200);
  t.is(me.body.email, 'smoke@example.com');
  const refreshed = await app.request('POST', '/v1/tokens/refresh', { json: { refresh_token: tokens.refresh_token } });
  t.is(refreshed.status, 200);
  const logout = await app.request('DELETE', '/v1/sessions/current', { token: tokens.access_token });
  t.is(logout.status, 204);
  t.is((await app.request('GET', '/v1/me', { token: tokens.access_token })).status, 401);
  t.truthy(PASSWORD);
  t.deepEqual(app.undocumented, []);
});

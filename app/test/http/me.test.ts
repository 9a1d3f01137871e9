import test from 'ava';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { PASSWORD, registerAndLogin, startTestApp } from '../helpers/test-app.ts';

const { app, db } = sharedTestApp(test);

type ErrorBody = { error: { code: string; message: string } };
type TokenPair = { access_token: string; refresh_token: string };
const NEW_PASSWORD = 'a brand new passphrase';

test('GET /v1/me returns the user of the token', async (t) => {
  const { access_token: token, userId } = await registerAndLogin(app, 'Me.Myself@example.com');
  const response = await app.request('GET', '/v1/me', { token });
  t.is(response.status, 200);
  t.deepEqual(response.body, { id: userId, email: 'me.myself@example.com', created_at: new Date(app.clock.now()).toISOString() });
});

const unauthorized = test.macro({
  async exec(t, headers: Record<string, string>) {
    const response = await app.request<ErrorBody>('GET', '/v1/me', { headers });
    t.is(response.status, 401);
    t.is(response.body.error.code, 'invalid_token');
    t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer/);
  },
  title: (provided = '') => `/v1/me without a usable token: ${provided}`,
});

test('no Authorization header', unauthorized, {});
test('Basic instead of Bearer', unauthorized, { authorization: 'Basic dXNlcjpwYXNz' });
test('an empty Bearer', unauthorized, { authorization: 'Bearer ' });
test('a Bearer that is not a JWT', unauthorized, { authorization: 'Bearer not.a.jwt' });
test('two tokens', unauthorized, { authorization: 'Bearer a.b.c Bearer d.e.f' });

test('changing the password ends the other sessions, keeps this one, and the new password works', async (t) => {
  const here = await registerAndLogin(app, 'changer@example.com');
  const elsewhere = await app.request<TokenPair>('POST', '/v1/sessions', { json: { email: 'changer@example.com', password: PASSWORD } });
  const response = await app.request('POST', '/v1/me/password', { token: here.access_token, json: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
  t.is(response.status, 204);
  t.is(response.text, '');
  t.is((await app.request('GET', '/v1/me', { token: here.access_token })).status, 200);
  t.is((await app.request('GET', '/v1/me', { token: elsewhere.body.access_token })).status, 401);
  t.is((await app.request('POST', '/v1/tokens/refresh', { json: { refresh_token: elsewhere.body.refresh_token } })).status, 401);
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'changer@example.com', password: PASSWORD } })).status, 401);
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'changer@example.com', password: NEW_PASSWORD } })).status, 200);
  const events = app.sink.events.filter((event) => event.userId === here.userId).map((event) => `${event.type}:${event.reason ?? ''}`);
  t.true(events.includes('password_changed:'));
  t.true(events.includes('session_revoked:password_change'));
});

test('a wrong current password changes nothing', async (t) => {
  const { access_token: token } = await registerAndLogin(app, 'wrong-current@example.com');
  const response = await app.request<ErrorBody>('POST', '/v1/me/password', { token, json: { current_password: 'not the password', new_password: NEW_PASSWORD } });
  t.is(response.status, 401);
  t.is(response.body.error.code, 'invalid_credentials');
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'wrong-current@example.com', password: PASSWORD } })).status, 200);
});

test('a weak new password is 422 weak_password', async (t) => {
  const { access_token: token } = await registerAndLogin(app, 'weak-new@example.com');
  const response = await app.request<ErrorBody>('POST', '/v1/me/password', { token, json: { current_password: PASSWORD, new_password: 'short' } });
  t.is(response.status, 422);
  t.is(response.body.error.code, 'weak_password');
});

test('changing the password needs a token and a valid body', async (t) => {
  t.is((await app.request('POST', '/v1/me/password', { json: { current_password: PASSWORD, new_password: NEW_PASSWORD } })).status, 401);
  const { access_token: token } = await registerAndLogin(app, 'body@example.com');
  const response = await app.request<ErrorBody>('POST', '/v1/me/password', { token, json: { current_password: PASSWORD } });
  t.is(response.status, 400);
  t.is(response.body.error.code, 'invalid_request');
});

test('a hash made with older parameters is upgraded at login', async (t) => {
  const { userId } = await registerAndLogin(app, 'rehash@example.com');
  // The same database served by an app configured with stronger parameters.
  const stronger = await startTestApp(db, { env: { ARGON2_MEMORY_KIB: '2048', ARGON2_ITERATIONS: '2' } });
  t.teardown(() => stronger.close());
  const hashOf = async () => (await db.sql<{ password_hash: string }[]>`select password_hash from users where id = ${userId}`)[0]!.password_hash;
  t.regex(await hashOf(), /m=1024,p=1,t=1/);
  t.is((await stronger.request('POST', '/v1/sessions', { json: { email: 'rehash@example.com', password: PASSWORD } })).status, 200);
  t.regex(await hashOf(), /m=2048,p=1,t=2/);
  t.is((await stronger.request('POST', '/v1/sessions', { json: { email: 'rehash@example.com', password: PASSWORD } })).status, 200);
});

test('a token for a deleted user is rejected', async (t) => {
  const { access_token: token, userId } = await registerAndLogin(app, 'deleted@example.com');
  await db.sql`delete from users where id = ${userId}`;
  t.is((await app.request('GET', '/v1/me', { token })).status, 401);
});

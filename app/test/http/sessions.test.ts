import test from 'ava';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { PASSWORD, registerAndLogin, startTestApp } from '../helpers/test-app.ts';

// REFRESH_REUSE_INTERVAL=0: these tests are about reuse detection itself; the interval has its own file.
const { app, db } = sharedTestApp(test, { env: { REFRESH_IDLE_TTL: '1h', SESSION_MAX_TTL: '3h', REFRESH_REUSE_INTERVAL: '0' } });

type ErrorBody = { error: { code: string; message: string } };
type TokenPair = { access_token: string; token_type: string; expires_in: number; refresh_token: string };

const refresh = (token: string) => app.request<TokenPair & ErrorBody>('POST', '/v1/tokens/refresh', { json: { refresh_token: token } });
const eventsOf = (userId: string) => app.sink.events.filter((event) => event.userId === userId);

test('login returns a Bearer token pair that must not be cached', async (t) => {
  await app.request('POST', '/v1/users', { json: { email: 'login@example.com', password: PASSWORD } });
  const response = await app.request<TokenPair>('POST', '/v1/sessions', { json: { email: 'LOGIN@example.com', password: PASSWORD } });
  t.is(response.status, 200);
  t.is(response.body.token_type, 'Bearer');
  t.is(response.body.expires_in, 900);
  t.regex(response.body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
  t.is(response.headers.get('cache-control'), 'no-store');
  const [stored] = await db.sql<{ n: number }[]>`select count(*)::int as n from refresh_tokens where token_hash = sha256(${response.body.refresh_token}::bytea)`;
  t.is(stored!.n, 1, 'the token is stored as its SHA-256');
});

test('an unknown email and a wrong password get identical responses', async (t) => {
  await app.request('POST', '/v1/users', { json: { email: 'known@example.com', password: PASSWORD } });
  const unknown = await app.request('POST', '/v1/sessions', { json: { email: 'nobody@example.com', password: PASSWORD } });
  const wrong = await app.request('POST', '/v1/sessions', { json: { email: 'known@example.com', password: `${PASSWORD}!` } });
  t.is(unknown.status, 401);
  t.is(wrong.status, 401);
  t.is(unknown.text, wrong.text);
  const headers = (response: typeof unknown) =>
    [...response.headers].filter(([name]) => !['x-request-id', 'date'].includes(name));
  t.deepEqual(headers(unknown), headers(wrong));
  t.deepEqual(JSON.parse(unknown.text), { error: { code: 'invalid_credentials', message: 'The email or password is incorrect.' } });
  const failures = app.sink.events.filter((event) => event.type === 'login_failed');
  t.true(failures.some((event) => event.reason === 'unknown_user' && event.userId === undefined));
  t.true(failures.some((event) => event.reason === 'bad_password' && event.userId !== undefined));
});

test('a refresh rotates the token and keeps the session', async (t) => {
  const first = await registerAndLogin(app, 'rotate@example.com');
  const second = await refresh(first.refresh_token);
  t.is(second.status, 200);
  t.not(second.body.refresh_token, first.refresh_token);
  t.is(second.headers.get('cache-control'), 'no-store');
  const third = await refresh(second.body.refresh_token);
  t.is(third.status, 200);
  t.is((await app.request('GET', '/v1/me', { token: third.body.access_token })).status, 200);
  // Walk the rotation links from the first token of the session.
  const chain = await db.sql<{ used: boolean }[]>`
    with recursive chain as (
      select rt.id, rt.used_at, 1 as depth from refresh_tokens rt join sessions s on s.id = rt.session_id
      where s.user_id = ${first.userId} and rt.parent_id is null
      union all
      select rt.id, rt.used_at, chain.depth + 1 from refresh_tokens rt join chain on rt.parent_id = chain.id
    )
    select used_at is not null as used from chain order by depth`;
  t.deepEqual(chain.map((row) => row.used), [true, true, false]);
  t.is(eventsOf(first.userId).filter((event) => event.type === 'token_refreshed').length, 2);
});

test('reusing a rotated refresh token is token_reused and revokes the whole session', async (t) => {
  const first = await registerAndLogin(app, 'reuse@example.com');
  const second = await refresh(first.refresh_token);
  t.is(second.status, 200);
  const replay = await refresh(first.refresh_token);
  t.is(replay.status, 401);
  t.is(replay.body.error.code, 'token_reused');
  // The legitimate successor dies with the session, and so do its access tokens at /v1/me.
  t.is((await refresh(second.body.refresh_token)).body.error.code, 'invalid_token');
  t.is((await app.request('GET', '/v1/me', { token: second.body.access_token })).status, 401);
  const [session] = await db.sql<{ revoked_reason: string }[]>`select revoked_reason from sessions where user_id = ${first.userId}`;
  t.is(session!.revoked_reason, 'reuse');
  const types = eventsOf(first.userId).map((event) => `${event.type}:${event.reason ?? ''}`);
  t.true(types.includes('refresh_token_reused:reuse'));
  t.is(types.filter((type) => type === 'session_revoked:reuse').length, 1);
});

test('20 parallel refreshes with one token give exactly one 200', async (t) => {
  const { refresh_token: token } = await registerAndLogin(app, 'parallel@example.com');
  const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(token)));
  const statuses = responses.map((response) => response.status);
  t.is(statuses.filter((status) => status === 200).length, 1, String(statuses));
  t.true(responses.filter((response) => response.status !== 200).every((response) => response.status === 401 && response.body.error.code === 'token_reused'));
});

test('unknown and malformed refresh tokens are invalid_token', async (t) => {
  for (const token of ['A'.repeat(43), 'short', 'x'.repeat(500), '../../etc/passwd']) {
    const response = await refresh(token);
    t.is(response.status, 401);
    t.is(response.body.error.code, 'invalid_token');
  }
});

test('a session ends after the idle timeout and after the absolute lifetime', async (t) => {
  // Its own app: moving this clock must not expire the other tests' sessions.
  const app = await startTestApp(db, { env: { REFRESH_IDLE_TTL: '1h', SESSION_MAX_TTL: '3h' } });
  t.teardown(() => app.close());
  const refresh = (token: string) => app.request<TokenPair & ErrorBody>('POST', '/v1/tokens/refresh', { json: { refresh_token: token } });
  const idle = await registerAndLogin(app, 'idle@example.com');
  const absolute = await registerAndLogin(app, 'absolute@example.com');
  // Keep `absolute` active every 50 minutes; `idle` is left alone past its hour.
  let token = absolute.refresh_token;
  for (let step = 0; step < 3; step++) {
    app.clock.advance(50 * 60_000);
    const next = await refresh(token);
    t.is(next.status, 200, `step ${step}`);
    token = next.body.refresh_token;
  }
  t.is((await refresh(idle.refresh_token)).body.error.code, 'invalid_token');
  app.clock.advance(31 * 60_000); // 3h01m after login
  t.is((await refresh(token)).body.error.code, 'invalid_token');
  t.deepEqual(app.undocumented, []);
});

test('logout revokes this session only; /v1/me rejects its access token at once', async (t) => {
  const one = await registerAndLogin(app, 'logout@example.com');
  const two = await app.request<TokenPair>('POST', '/v1/sessions', { json: { email: 'logout@example.com', password: PASSWORD } });
  t.is((await app.request('DELETE', '/v1/sessions/current', { token: one.access_token })).status, 204);
  t.is((await app.request('GET', '/v1/me', { token: one.access_token })).status, 401);
  t.is((await refresh(one.refresh_token)).body.error.code, 'invalid_token');
  t.is((await app.request('GET', '/v1/me', { token: two.body.access_token })).status, 200);
  t.is((await app.request('DELETE', '/v1/sessions/current', { token: one.access_token })).status, 401);
  t.true(eventsOf(one.userId).some((event) => event.type === 'session_revoked' && event.reason === 'logout'));
});

test('logout everywhere revokes every session of the user', async (t) => {
  const one = await registerAndLogin(app, 'everywhere@example.com');
  const two = await app.request<TokenPair>('POST', '/v1/sessions', { json: { email: 'everywhere@example.com', password: PASSWORD } });
  const bystander = await registerAndLogin(app, 'bystander@example.com');
  t.is((await app.request('DELETE', '/v1/sessions', { token: two.body.access_token })).status, 204);
  for (const accessToken of [one.access_token, two.body.access_token]) t.is((await app.request('GET', '/v1/me', { token: accessToken })).status, 401);
  t.is((await refresh(one.refresh_token)).status, 401);
  t.is((await app.request('GET', '/v1/me', { token: bystander.access_token })).status, 200);
  t.is(eventsOf(one.userId).filter((event) => event.type === 'session_revoked' && event.reason === 'logout_all').length, 2);
});

test('login failures on bad input are 400 invalid_request, not 500', async (t) => {
  for (const json of [{}, { email: 'a@example.com' }, { email: 1, password: 2 }, { email: '', password: '' }, 'string']) {
    const response = await app.request<ErrorBody>('POST', '/v1/sessions', { json });
    t.is(response.status, 400);
    t.is(response.body.error.code, 'invalid_request');
  }
});

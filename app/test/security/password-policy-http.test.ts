// Password screening through the API: breached passwords (HIBP, simulated with nock) and passwords
// made of the email, at registration and at password change. Serial: nock is process-global.
import test from 'ava';
import nock from 'nock';
import { sha1PrefixSuffix } from '../../src/auth/breached-password.ts';
import { registerAndLoginRaw as registerAndLogin, startSecurityApp } from '../helpers/test-app.ts';

const HIBP = 'https://hibp.test';
const BREACHED = 'password1234567';
const CLEAN = 'a sturdy passphrase 42';

/** One range response for `password`'s prefix: its suffix with `count`, between padding entries (count 0). */
function hibpRange(password: string, count: number) {
  const { prefix, suffix } = sha1PrefixSuffix(password);
  return nock(HIBP)
    .matchHeader('add-padding', 'true')
    .get(`/range/${prefix}`)
    .reply(200, [`${'0'.repeat(35)}:0`, `${suffix}:${count}`, `${'F'.repeat(35)}:0`].join('\r\n'));
}

test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
test.afterEach.always(() => nock.cleanAll());
test.after.always(() => {
  nock.enableNetConnect();
  nock.restore();
});

const env = { HIBP_ENABLED: 'true', HIBP_API_URL: HIBP, HIBP_TIMEOUT_MS: '200' };

test.serial('a breached password is refused at registration with 422 breached_password, and no row is written', async (t) => {
  const app = await startSecurityApp(t, { env });
  hibpRange(BREACHED, 3_861_493);
  hibpRange(CLEAN, 0);
  const refused = await app.request('POST', '/v1/users', { body: { email: 'new@example.com', password: BREACHED } });
  t.is(refused.status, 422);
  t.is(refused.json.error.code, 'breached_password');
  t.is((await app.sql`select 1 from users`).length, 0);
  t.is((await app.request('POST', '/v1/users', { body: { email: 'new@example.com', password: CLEAN } })).status, 201, 'padding entries do not count');
  t.deepEqual(nock.pendingMocks(), []);
});

test.serial('a breached password is refused at password change', async (t) => {
  const app = await startSecurityApp(t, { env });
  hibpRange(CLEAN, 0);
  hibpRange(BREACHED, 12);
  const { access_token: token } = await registerAndLogin(app, 'user@example.com', CLEAN);
  const refused = await app.request('POST', '/v1/me/password', { body: { current_password: CLEAN, new_password: BREACHED }, headers: { authorization: `Bearer ${token}` } });
  t.is(refused.status, 422);
  t.is(refused.json.error.code, 'breached_password');
  t.is((await app.request('POST', '/v1/sessions', { body: { email: 'user@example.com', password: CLEAN } })).status, 200, 'the old password still works');
  t.deepEqual(nock.pendingMocks(), []);
});

test.serial('API down, fail open (default): the registration succeeds and the outage is an event and a metric', async (t) => {
  const app = await startSecurityApp(t, { env });
  nock(HIBP).get(/^\/range\//).reply(500);
  t.is((await app.request('POST', '/v1/users', { body: { email: 'open@example.com', password: CLEAN } })).status, 201);
  t.like(app.sink.events.find((event) => event.type === 'breached_password_check_failed'), { outcome: 'failure', reason: 'http_error' });
  const metrics = await app.request('GET', '/metrics');
  t.regex(metrics.text, /auth_breached_password_lookup_failures_total\{reason="http_error"\} 1/);
  t.deepEqual(nock.pendingMocks(), []);
});

test.serial('API slow, fail closed: 503 unavailable after the timeout, and no row', async (t) => {
  const app = await startSecurityApp(t, { env: { ...env, HIBP_FAIL_CLOSED: 'true' } });
  nock(HIBP).get(/^\/range\//).delay(2_000).reply(200, '');
  const refused = await app.request('POST', '/v1/users', { body: { email: 'closed@example.com', password: CLEAN } });
  t.is(refused.status, 503);
  t.is(refused.json.error.code, 'unavailable');
  t.is((await app.sql`select 1 from users`).length, 0);
  t.like(app.sink.events.find((event) => event.type === 'breached_password_check_failed'), { reason: 'timeout' });
});

const resembling: Array<[string, string, string]> = [
  ['the email itself', 'jane.doe.1990@example.com', 'jane.doe.1990@example.com'],
  ['the local part inside', 'jane.doe.1990@example.com', 'my jane.doe.1990 pass'],
  ['the local part in another case', 'jane.doe.1990@example.com', 'JANE.DOE.1990-secret'],
];

for (const [title, email, password] of resembling) {
  test.serial(`a password that is ${title} is 422 weak_password, at registration and at change`, async (t) => {
    const app = await startSecurityApp(t);
    const refused = await app.request('POST', '/v1/users', { body: { email, password } });
    t.is(refused.status, 422);
    t.is(refused.json.error.code, 'weak_password');
    const { access_token: token } = await registerAndLogin(app, email, CLEAN);
    const change = await app.request('POST', '/v1/me/password', { body: { current_password: CLEAN, new_password: password }, headers: { authorization: `Bearer ${token}` } });
    t.is(change.status, 422);
    t.is(change.json.error.code, 'weak_password');
  });
}

test.serial('the 12 to 128 length rule still holds', async (t) => {
  const app = await startSecurityApp(t);
  for (const password of ['short pass', 'x'.repeat(129)]) {
    const refused = await app.request('POST', '/v1/users', { body: { email: 'len@example.com', password } });
    t.is(refused.json.error.code, 'weak_password', `${password.length} characters`);
  }
  t.is((await app.request('POST', '/v1/users', { body: { email: 'len@example.com', password: 'x'.repeat(128) } })).status, 201);
});

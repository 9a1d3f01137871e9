// Issue 14 item 3 over HTTP: every spelling that reaches an account spends that account's lockout budget,
// and a spelling whose case mapping is unstable (U+0130 and its kind) reaches no account at all. Before the
// fix, `alİce@example.com` logged in to alice@example.com (PostgreSQL's lower() maps U+0130 to "i") while
// its failures counted under another lockout key (JavaScript's toLowerCase() maps it to "i" + U+0307).
import test from 'ava';
import { startSecurityApp, type SecurityApp } from '../helpers/test-app.ts';

const PASSWORD = 'a sturdy passphrase 42';
const env = { LOCKOUT_IP_THRESHOLD: '3', LOCKOUT_THRESHOLD: '3', RATE_LIMIT_BURST: '100000' };
const login = (app: SecurityApp, email: string, password: string, ip = '198.51.100.7') =>
  app.request('POST', '/v1/sessions', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

async function setup(t: import('ava').ExecutionContext) {
  const app = await startSecurityApp(t, { env });
  t.is((await app.request('POST', '/v1/users', { body: { email: 'alice@example.com', password: PASSWORD } })).status, 201);
  return app;
}

const UNSTABLE = ['al\u0130ce@example.com', 'AL\u0130CE@example.com', 'al\u0131ce@example.com', 'ali\u0307ce@example.com'];

test('a spelling with an unstable case mapping reaches no account: 400 invalid_request, before any password check', async (t) => {
  const app = await setup(t);
  for (const email of UNSTABLE) {
    for (const password of ['wrong password 123', PASSWORD]) {
      const response = await login(app, email, password);
      t.is(response.status, 400, `${email}: ${response.text}`);
      t.is(response.json.error.code, 'invalid_request');
    }
  }
  // Nothing was counted, and no token was issued.
  t.is((await app.sql<{ n: number }[]>`select count(*)::int as n from login_throttle`)[0]!.n, 0);
  t.is((await app.sql<{ n: number }[]>`select count(*)::int as n from sessions`)[0]!.n, 0);
  // Each refusal is recorded, so a spray of such spellings shows in ops:auth-report.
  const refusals = app.sink.events.filter((event) => event.type === 'login_failed' && event.reason === 'no_canonical_email');
  t.is(refusals.length, UNSTABLE.length * 2);
});

test('once the account is locked, no other spelling gets a guess or a session', async (t) => {
  const app = await setup(t);
  for (let i = 0; i < 3; i++) t.is((await login(app, 'alice@example.com', 'wrong password 123')).status, 401);
  t.is((await login(app, 'alice@example.com', PASSWORD)).status, 429);
  for (const email of ['ALICE@EXAMPLE.COM', 'Alice@Example.com', '\uff41\uff4c\uff49\uff43\uff45@example.com', ...UNSTABLE]) {
    for (const password of ['wrong password 123', PASSWORD]) {
      const response = await login(app, email, password);
      t.not(response.status, 200, `${email} logged in past the lock`);
      t.not(response.status, 401, `${email} got a password guess past the lock`);
    }
  }
});

test('every accepted spelling shares one lockout budget and one account', async (t) => {
  const app = await setup(t);
  const spellings = ['ALICE@example.com', 'Alice@EXAMPLE.com', '\uff21lice@example.com'];
  for (const email of spellings) t.is((await login(app, email, 'wrong password 123', '203.0.113.9')).status, 401);
  t.is((await login(app, 'alice@example.com', PASSWORD, '203.0.113.9')).status, 429, 'three failures in three spellings locked the pair');
  t.is((await login(app, 'ALICE@EXAMPLE.COM', PASSWORD, '192.0.2.1')).status, 429, 'and the whole account (threshold 3)');
  const keys = await app.sql<{ n: number }[]>`select count(distinct account_key)::int as n from login_throttle`;
  t.is(keys[0]!.n, 1);
});

test('registration stores and answers the canonical form, and refuses another spelling of it', async (t) => {
  const app = await setup(t);
  const created = await app.request('POST', '/v1/users', { body: { email: 'Bob.Smith@Example.COM', password: PASSWORD } });
  t.is(created.status, 201);
  t.is(created.json.email, 'bob.smith@example.com');
  const taken = await app.request('POST', '/v1/users', { body: { email: 'ALICE@example.com', password: PASSWORD } });
  t.is(taken.status, 409);
  t.is(taken.json.error.code, 'email_taken');
  const [row] = await app.sql<{ email: string }[]>`select email from users where id = ${created.json.id}`;
  t.is(row!.email, 'bob.smith@example.com');
  t.is((await login(app, 'bob.smith@EXAMPLE.com', PASSWORD)).status, 200);
});

// Brute force through the HTTP API: the lockout holds under 50 parallel requests, is per account+IP
// before it is per account, answers 429 account_locked with Retry-After, and is recorded as events.
import test from 'ava';
import { startSecurityApp, type SecurityApp } from '../helpers/test-app.ts';

const PASSWORD = 'a sturdy passphrase 42';
const env = {
  TRUSTED_PROXY_HOPS: '1',
  LOCKOUT_IP_THRESHOLD: '5',
  LOCKOUT_THRESHOLD: '12',
  LOCKOUT_BASE_DURATION: '60',
  LOCKOUT_MAX_DURATION: '900',
  // The bucket is not what these tests are about.
  RATE_LIMIT_BURST: '100000',
};

const login = (app: SecurityApp, email: string, password: string, ip: string) =>
  app.request('POST', '/v1/sessions', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

async function setup(t: import('ava').ExecutionContext) {
  const app = await startSecurityApp(t, { env });
  const created = await app.request('POST', '/v1/users', { body: { email: 'victim@example.com', password: PASSWORD } });
  t.is(created.status, 201);
  return app;
}

test('50 parallel wrong passwords from one IP: exactly LOCKOUT_IP_THRESHOLD are checked, the rest are locked', async (t) => {
  const app = await setup(t);
  const responses = await Promise.all(Array.from({ length: 50 }, () => login(app, 'victim@example.com', 'wrong password 123', '198.51.100.10')));
  const statuses = responses.map((response) => response.status);
  t.is(statuses.filter((status) => status === 401).length, 5);
  const locked = responses.filter((response) => response.status === 429);
  t.is(locked.length, 45);
  for (const response of locked) {
    t.is(response.json.error.code, 'account_locked');
    t.is(response.headers.get('retry-after'), '60');
  }
  // Even the right password is refused from that IP while the lock lasts ...
  const right = await login(app, 'victim@example.com', PASSWORD, '198.51.100.10');
  t.is(right.status, 429);
  t.is(right.json.error.code, 'account_locked');
  // ... but the owner elsewhere is not locked out: the attacker's IP cannot lock the account alone.
  t.is((await login(app, 'victim@example.com', PASSWORD, '192.0.2.55')).status, 200);
  // The lock is recorded once, and every refused attempt as login_failed(locked).
  const types = app.sink.events.map((event) => `${event.type}:${event.reason ?? ''}`);
  t.is(types.filter((type) => type.startsWith('account_locked')).length, 1);
  t.is(types.filter((type) => type === 'login_failed:locked').length, 46);
  t.like(app.sink.events.find((event) => event.type === 'account_locked'), { clientIp: '198.51.100.10', reason: 'account_ip' });
  // Lock events name the account, so operators can find them by user.
  const victimId = app.sink.events.find((event) => event.type === 'user_registered')?.userId;
  t.truthy(victimId);
  t.is(app.sink.events.find((event) => event.type === 'account_locked')?.userId, victimId);
  t.true(app.sink.events.filter((event) => event.reason === 'locked').every((event) => event.userId === victimId));
});

test('50 parallel wrong passwords from 50 IPs: exactly LOCKOUT_THRESHOLD are checked, then the whole account is locked', async (t) => {
  const app = await setup(t);
  const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => login(app, 'victim@example.com', 'wrong password 123', `203.0.113.${i + 1}`)));
  t.is(responses.filter((response) => response.status === 401).length, 12);
  t.is(responses.filter((response) => response.status === 429).length, 38);
  const fresh = await login(app, 'victim@example.com', PASSWORD, '192.0.2.99');
  t.is(fresh.status, 429, 'the right password from a fresh IP is locked too');
  t.is(fresh.json.error.code, 'account_locked');
  t.truthy(fresh.headers.get('retry-after'));
  t.like(app.sink.events.find((event) => event.type === 'account_locked'), { reason: 'account' });
});

test('the lock ends after Retry-After, and a success resets the count', async (t) => {
  const app = await setup(t);
  const ip = '198.51.100.20';
  for (let i = 0; i < 5; i++) t.is((await login(app, 'victim@example.com', 'wrong password 123', ip)).status, 401);
  const locked = await login(app, 'victim@example.com', PASSWORD, ip);
  t.is(locked.status, 429);
  app.clock.now += Number(locked.headers.get('retry-after')) * 1000;
  t.is((await login(app, 'victim@example.com', PASSWORD, ip)).status, 200, 'the lock has expired');
  for (let i = 0; i < 5; i++) t.is((await login(app, 'victim@example.com', 'wrong password 123', ip)).status, 401, `failure ${i + 1} after the reset`);
});

test('an unknown email locks exactly like a real one, so the lockout reveals nothing', async (t) => {
  const app = await setup(t);
  const run = async (email: string, ip: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login(app, email, 'wrong password 123', ip)).status);
    return statuses;
  };
  t.deepEqual(await run('victim@example.com', '198.51.100.30'), await run('nobody@example.com', '198.51.100.31'));
});

test('a spoofed leftmost X-Forwarded-For does not escape the per-IP lock', async (t) => {
  const app = await setup(t);
  for (let i = 0; i < 5; i++) await login(app, 'victim@example.com', 'wrong password 123', `10.9.9.${i}, 198.51.100.40`);
  const response = await login(app, 'victim@example.com', PASSWORD, '1.2.3.4, 198.51.100.40');
  t.is(response.status, 429);
  t.is(response.json.error.code, 'account_locked');
});

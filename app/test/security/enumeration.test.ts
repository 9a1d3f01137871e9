// Account enumeration: registration (REGISTRATION_ENUMERATION_SAFE) and login (unknown email versus
// wrong password) must look the same from outside: status, body, headers and timing.
import { performance } from 'node:perf_hooks';
import test from 'ava';
import { startSecurityApp, type RawResponse as TestResponse } from '../helpers/test-app.ts';

const PASSWORD = 'a sturdy passphrase 42';
const VOLATILE_HEADERS = new Set(['date', 'x-request-id']);

/** Header names and values, without the ones that differ on every response. */
function stableHeaders(response: TestResponse): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => !VOLATILE_HEADERS.has(name)).sort(([a], [b]) => a.localeCompare(b)));
}

test('REGISTRATION_ENUMERATION_SAFE=true: an existing email gets the same status, shape and headers, and no second row', async (t) => {
  const app = await startSecurityApp(t, { env: { REGISTRATION_ENUMERATION_SAFE: 'true' } });
  const fresh = await app.request('POST', '/v1/users', { body: { email: 'taken@example.com', password: PASSWORD } });
  const again = await app.request('POST', '/v1/users', { body: { email: 'Taken@Example.com', password: 'another passphrase 99' } });
  t.is(fresh.status, 201);
  t.is(again.status, 201);
  t.deepEqual(Object.keys(again.json).sort(), Object.keys(fresh.json).sort());
  t.regex(again.json.id, /^[0-9a-f-]{36}$/);
  t.deepEqual(Object.keys(stableHeaders(again)), Object.keys(stableHeaders(fresh)));
  const rows = await app.sql`select id from users where lower(email) = 'taken@example.com'`;
  t.is(rows.length, 1);
  t.not(again.json.id, fresh.json.id, 'the second answer carries a throwaway id');
  // The original password still works; the second registration changed nothing.
  t.is((await app.request('POST', '/v1/sessions', { body: { email: 'taken@example.com', password: PASSWORD } })).status, 200);
  t.like(app.sink.events.filter((event) => event.type === 'user_registered').map(({ outcome, reason }) => ({ outcome, reason })), [
    { outcome: 'success', reason: undefined },
    { outcome: 'failure', reason: 'email_taken' },
  ]);
});

test('REGISTRATION_ENUMERATION_SAFE=false (the default): an existing email is 409 email_taken', async (t) => {
  const app = await startSecurityApp(t);
  t.false(app.config.security.registrationEnumerationSafe);
  await app.request('POST', '/v1/users', { body: { email: 'taken@example.com', password: PASSWORD } });
  const again = await app.request('POST', '/v1/users', { body: { email: 'taken@example.com', password: PASSWORD } });
  t.is(again.status, 409);
  t.is(again.json.error.code, 'email_taken');
});

test('login: unknown email and wrong password give an identical status, body and header set', async (t) => {
  const app = await startSecurityApp(t);
  await app.request('POST', '/v1/users', { body: { email: 'known@example.com', password: PASSWORD } });
  const unknown = await app.request('POST', '/v1/sessions', { body: { email: 'unknown@example.com', password: 'wrong password 123' } });
  const wrong = await app.request('POST', '/v1/sessions', { body: { email: 'known@example.com', password: 'wrong password 123' } });
  t.is(unknown.status, 401);
  t.is(wrong.status, unknown.status);
  t.is(wrong.text, unknown.text);
  t.deepEqual(stableHeaders(wrong), stableHeaders(unknown));
  t.truthy(unknown.headers.get('x-request-id'), 'the ignored headers are present on both');
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

test('login timing: unknown email and wrong password have medians within 25% (default argon2 parameters)', async (t) => {
  const app = await startSecurityApp(t, {
    // The production argon2 cost, and no lockout or rate limit in the way of 80 failures.
    env: { ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2', ARGON2_PARALLELISM: '1', LOCKOUT_IP_THRESHOLD: '10000', LOCKOUT_THRESHOLD: '10000', RATE_LIMIT_BURST: '100000' },
  });
  await app.request('POST', '/v1/users', { body: { email: 'known@example.com', password: PASSWORD } });
  const timed = async (email: string) => {
    const started = performance.now();
    const response = await app.request('POST', '/v1/sessions', { body: { email, password: 'wrong password 123' } });
    if (response.status !== 401) throw new Error(`expected 401, got ${response.status}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 3; i++) await Promise.all([timed('known@example.com'), timed('warmup@example.com')]); // JIT and pool warm-up
  const TRIES = 40;
  const unknown: number[] = [];
  const wrong: number[] = [];
  // Interleaved, so that load from other test files hits both series alike.
  for (let i = 0; i < TRIES; i++) {
    unknown.push(await timed(`unknown-${i}@example.com`));
    wrong.push(await timed('known@example.com'));
  }
  const ratio = median(wrong) / median(unknown);
  t.log(`median wrong password ${median(wrong).toFixed(1)} ms, unknown email ${median(unknown).toFixed(1)} ms, ratio ${ratio.toFixed(3)} over ${TRIES} tries each`);
  t.true(ratio >= 0.8 && ratio <= 1.25, `ratio ${ratio.toFixed(3)} is outside 0.8..1.25`);
});

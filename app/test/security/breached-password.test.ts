// The HIBP range client against a nock-simulated API. Serial: nock is process-global state.
import test from 'ava';
import nock from 'nock';
import { Registry } from 'prom-client';
import { breachedPasswordCheck, createHibpChecker, parseRangeResponse, sha1PrefixSuffix } from '../../src/auth/breached-password.ts';
import { AppError } from '../../src/errors.ts';

const API = 'https://hibp.test';
const PASSWORD = 'correct horse battery staple';
const { prefix, suffix } = sha1PrefixSuffix(PASSWORD);
const OTHER_SUFFIX = '0'.repeat(35);

test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
test.afterEach.always(() => nock.cleanAll());
test.after.always(() => {
  nock.enableNetConnect();
  nock.restore();
});

function checker(overrides: Partial<Parameters<typeof createHibpChecker>[0]> = {}) {
  return createHibpChecker({ apiUrl: API, timeoutMs: 300, minBreachCount: 1, failClosed: false, ...overrides });
}

function rangeBody(lines: Array<[string, number]>): string {
  return lines.map(([s, n]) => `${s}:${n}`).join('\r\n');
}

test.serial('the prefix is the first 5 upper-case hex characters of the SHA-1', (t) => {
  // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
  t.deepEqual(sha1PrefixSuffix('password'), { prefix: '5BAA6', suffix: '1E4C9B93F3F0682250B6CF8331B7EE68FD8' });
});

test.serial('a hit above the threshold is breached, and only the prefix is sent, with Add-Padding', async (t) => {
  const seen: string[] = [];
  const scope = nock(API)
    .matchHeader('add-padding', 'true')
    .get((path) => {
      seen.push(path);
      return path === `/range/${prefix}`;
    })
    .reply(200, rangeBody([[OTHER_SUFFIX, 3], [suffix, 42]]));
  const result = await checker().check(PASSWORD);
  t.deepEqual(result, { verdict: 'breached', count: 42 });
  t.true(scope.isDone());
  t.deepEqual(nock.pendingMocks(), []);
  const full = prefix + suffix;
  for (const path of seen) {
    t.false(path.toUpperCase().includes(full), 'the full hash never leaves the process');
    t.false(path.toUpperCase().includes(suffix), 'nor does the suffix');
    t.regex(path, /^\/range\/[0-9A-F]{5}$/);
  }
});

test.serial('a miss is clean', async (t) => {
  nock(API).get(`/range/${prefix}`).reply(200, rangeBody([[OTHER_SUFFIX, 7]]));
  t.deepEqual(await checker().check(PASSWORD), { verdict: 'clean', count: 0 });
  t.deepEqual(nock.pendingMocks(), []);
});

test.serial('padding entries (count 0) never count as breached', async (t) => {
  nock(API).get(`/range/${prefix}`).reply(200, rangeBody([[suffix, 0], [OTHER_SUFFIX, 0]]));
  t.deepEqual(await checker().check(PASSWORD), { verdict: 'clean', count: 0 });
  t.deepEqual(parseRangeResponse(`${suffix}:0\n`)?.size, 0);
});

test.serial('a count below HIBP_MIN_BREACH_COUNT is clean', async (t) => {
  nock(API).get(`/range/${prefix}`).reply(200, rangeBody([[suffix, 4]]));
  t.deepEqual(await checker({ minBreachCount: 5 }).check(PASSWORD), { verdict: 'clean', count: 4 });
});

test.serial('responses are cached per prefix', async (t) => {
  nock(API).get(`/range/${prefix}`).once().reply(200, rangeBody([[suffix, 2]]));
  const registry = new Registry();
  const hibp = checker({ registry });
  t.is((await hibp.check(PASSWORD)).verdict, 'breached');
  t.is((await hibp.check(PASSWORD)).verdict, 'breached', 'the second check is answered without a request');
  t.deepEqual(nock.pendingMocks(), []);
  const metric = await registry.getSingleMetricAsString('auth_breached_password_lookups_total');
  t.regex(metric, /result="cache_hit"} 1/);
  t.regex(metric, /result="fetch"} 1/);
});

test.serial('a timeout is unavailable, fail-open by default, and counted', async (t) => {
  nock(API).get(`/range/${prefix}`).delay(2_000).reply(200, rangeBody([[suffix, 9]]));
  const registry = new Registry();
  const result = await checker({ timeoutMs: 100, registry }).check(PASSWORD);
  t.deepEqual(result, { verdict: 'unavailable', reason: 'timeout', failClosed: false });
  const metric = await registry.getSingleMetricAsString('auth_breached_password_lookup_failures_total');
  t.regex(metric, /reason="timeout"} 1/);
});

test.serial('a 500 is unavailable, and fail-closed when configured', async (t) => {
  nock(API).get(`/range/${prefix}`).reply(500, 'oops');
  t.deepEqual(await checker({ failClosed: true }).check(PASSWORD), {
    verdict: 'unavailable',
    reason: 'http_error',
    failClosed: true,
  });
  t.deepEqual(nock.pendingMocks(), []);
});

test.serial('a malformed body is unavailable, not clean', async (t) => {
  nock(API).get(`/range/${prefix}`).reply(200, '<html>captive portal</html>');
  t.like(await checker().check(PASSWORD), { verdict: 'unavailable', reason: 'bad_response' });
});

test.serial('a failed lookup is not cached', async (t) => {
  nock(API).get(`/range/${prefix}`).reply(503, '');
  nock(API).get(`/range/${prefix}`).reply(200, rangeBody([[suffix, 1]]));
  const hibp = checker();
  t.is((await hibp.check(PASSWORD)).verdict, 'unavailable');
  t.is((await hibp.check(PASSWORD)).verdict, 'breached');
  t.deepEqual(nock.pendingMocks(), []);
});

test.serial('misuse of the options is a TypeError', (t) => {
  t.throws(() => checker({ minBreachCount: 0 }), { instanceOf: TypeError });
  t.throws(() => checker({ timeoutMs: 0 }), { instanceOf: TypeError });
});

test.serial('the core seam: breached, ok, fail-open reports and accepts, fail-closed is 503 unavailable', async (t) => {
  const reports: Array<[string, boolean]> = [];
  const onUnavailable = (reason: string, failClosed: boolean) => reports.push([reason, failClosed]);
  nock(API).get(`/range/${prefix}`).reply(200, rangeBody([[suffix, 1]]));
  t.is(await breachedPasswordCheck(checker(), { onUnavailable }).check(PASSWORD), 'breached');
  nock(API).get(`/range/${prefix}`).reply(500);
  t.is(await breachedPasswordCheck(checker(), { onUnavailable }).check(PASSWORD), 'ok');
  nock(API).get(`/range/${prefix}`).reply(500);
  const error = await t.throwsAsync(breachedPasswordCheck(checker({ failClosed: true }), { onUnavailable }).check(PASSWORD), { instanceOf: AppError });
  t.is(error?.code, 'unavailable');
  t.is(error?.status, 503);
  t.deepEqual(reports, [['http_error', false], ['http_error', true]]);
  t.deepEqual(nock.pendingMocks(), []);
});

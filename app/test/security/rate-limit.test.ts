import test from 'ava';
import { TokenBucketLimiter } from '../../src/http/rate-limit.ts';

function limiter(options: { ratePerMinute?: number; burst?: number; maxKeys?: number } = {}) {
  const clock = { now: 1_000_000 };
  const bucket = new TokenBucketLimiter({ ratePerMinute: 60, burst: 3, ...options, now: () => clock.now });
  return { bucket, clock };
}

test('a full bucket allows a burst, then refuses with Retry-After', (t) => {
  const { bucket } = limiter();
  t.like(bucket.take('a'), { allowed: true, remaining: 2 });
  t.like(bucket.take('a'), { allowed: true, remaining: 1 });
  t.like(bucket.take('a'), { allowed: true, remaining: 0 });
  t.deepEqual(bucket.take('a'), { allowed: false, retryAfterSeconds: 1 });
});

test('tokens refill at the configured rate, never above the burst', (t) => {
  const { bucket, clock } = limiter({ ratePerMinute: 6, burst: 2 });
  bucket.take('a');
  bucket.take('a');
  t.deepEqual(bucket.take('a'), { allowed: false, retryAfterSeconds: 10 });
  clock.now += 10_000;
  t.like(bucket.take('a'), { allowed: true });
  clock.now += 10 * 60_000;
  t.like(bucket.take('a'), { allowed: true, remaining: 1 });
});

test('keys are independent', (t) => {
  const { bucket } = limiter({ burst: 1 });
  t.like(bucket.take('a'), { allowed: true });
  t.like(bucket.take('a'), { allowed: false });
  t.like(bucket.take('b'), { allowed: true });
});

test('the number of tracked keys is bounded', (t) => {
  const { bucket } = limiter({ maxKeys: 10 });
  for (let i = 0; i < 1000; i++) bucket.take(`ip-${i}`);
  t.is(bucket.size, 10);
});

test('bad options are a TypeError', (t) => {
  t.throws(() => new TokenBucketLimiter({ ratePerMinute: 0, burst: 1 }), { instanceOf: TypeError });
  t.throws(() => new TokenBucketLimiter({ ratePerMinute: 1, burst: 0 }), { instanceOf: TypeError });
});

import test from 'ava';
import argon2 from 'argon2';
import fc from 'fast-check';
import { createConcurrencyLimit, createPasswordHasher, normalizePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/auth/passwords.ts';
import { AppError } from '../../src/errors.ts';

const FAST = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

const policyCase = test.macro({
  exec(t, password: string, accepted: boolean) {
    if (accepted) t.notThrows(() => normalizePassword(password));
    else t.is(t.throws(() => normalizePassword(password), { instanceOf: AppError })?.code, 'weak_password');
  },
  title: (provided = '') => `password policy: ${provided}`,
});

test('11 characters are too short', policyCase, 'a'.repeat(PASSWORD_MIN_LENGTH - 1), false);
test('12 characters are enough', policyCase, 'a'.repeat(PASSWORD_MIN_LENGTH), true);
test('128 characters are allowed', policyCase, 'a'.repeat(PASSWORD_MAX_LENGTH), true);
test('129 characters are too long (never truncated)', policyCase, 'a'.repeat(PASSWORD_MAX_LENGTH + 1), false);
test('length counts code points, not UTF-16 units', policyCase, '😀'.repeat(12), true);
test('length is measured after NFKC (ligatures expand)', policyCase, 'ﬁ'.repeat(6), true);
test('length is measured after NFKC (fullwidth letters stay one each)', policyCase, 'Ａ'.repeat(11), false);

test('NFKC makes composed and decomposed input equal', (t) => {
  t.is(normalizePassword('caf\u00e9-password-1'), normalizePassword('cafe\u0301-password-1'));
  t.is(normalizePassword('ＰＡＳＳＷＯＲＤ-12345'), 'PASSWORD-12345');
});

test('hash and verify with the default (OWASP) parameters', async (t) => {
  const timings: string[] = [];
  const hasher = createPasswordHasher({ memoryKiB: 19_456, iterations: 2, parallelism: 1 }, { observe: (operation) => timings.push(operation) });
  const hash = await hasher.hash('correct horse battery staple');
  t.regex(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  t.true(await hasher.verify(hash, 'correct horse battery staple'));
  t.false(await hasher.verify(hash, 'correct horse battery stapl'));
  t.false(hasher.needsRehash(hash));
  t.deepEqual(timings, ['hash', 'verify', 'verify']);
});

test('a hash made with other parameters needs a rehash', async (t) => {
  const old = await argon2.hash('correct horse battery staple', { type: argon2.argon2id, memoryCost: 2048, timeCost: 1, parallelism: 1 });
  const hasher = createPasswordHasher(FAST);
  t.true(hasher.needsRehash(old));
  t.false(hasher.needsRehash(await hasher.hash('x'.repeat(12))));
  t.true(hasher.needsRehash('not a hash'));
});

test('a malformed stored hash verifies as false instead of throwing', async (t) => {
  const hasher = createPasswordHasher(FAST);
  t.false(await hasher.verify('$argon2id$garbage', 'whatever-password'));
});

test('the dummy verification runs a real argon2 verification', async (t) => {
  const timings: string[] = [];
  const hasher = createPasswordHasher(FAST, { observe: (operation) => timings.push(operation) });
  await hasher.verifyDummy('some-password-here');
  t.deepEqual(timings, ['verify']);
});

test('the concurrency limit runs at most N tasks at once, in arrival order, and frees a slot when a task fails', async (t) => {
  const limit = createConcurrencyLimit(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const task = (index: number) =>
    limit(async () => {
      started.push(index);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running -= 1;
      if (index === 0) throw new Error('task 0 failed');
      return index;
    });
  const results = [0, 1, 2, 3, 4].map((index) => task(index));
  await Promise.resolve();
  t.deepEqual(started, [0, 1], 'only two start');
  while (releases.length > 0) {
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await t.throwsAsync(results[0]!, { message: 'task 0 failed' });
  t.deepEqual(await Promise.all(results.slice(1)), [1, 2, 3, 4]);
  t.deepEqual(started, [0, 1, 2, 3, 4]);
  t.is(peak, 2);
  t.throws(() => createConcurrencyLimit(0), { instanceOf: TypeError });
});

// Serial: it wraps the argon2 module's verify, which the other tests in this file also call.
test.serial('the hasher computes no more argon2 verifications at once than its concurrency', async (t) => {
  const hasher = createPasswordHasher({ ...FAST, concurrency: 2 });
  const hash = await hasher.hash('correct horse battery staple');
  const original = argon2.verify;
  let running = 0;
  let peak = 0;
  argon2.verify = async (...args: Parameters<typeof original>) => {
    running += 1;
    peak = Math.max(peak, running);
    try {
      return await original(...args);
    } finally {
      running -= 1;
    }
  };
  t.teardown(() => {
    argon2.verify = original;
  });
  const results = await Promise.all(Array.from({ length: 6 }, () => hasher.verify(hash, 'correct horse battery staple')));
  t.deepEqual(results, [true, true, true, true, true, true]);
  t.is(peak, 2);
});

test('property: the policy accepts exactly 12..128 code points after NFKC, and normalising is idempotent', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 140 }), (password) => {
      const length = [...password.normalize('NFKC')].length;
      let accepted: string | undefined;
      try {
        accepted = normalizePassword(password);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'weak_password') throw error;
      }
      if ((length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH) !== (accepted !== undefined)) return false;
      return accepted === undefined || normalizePassword(accepted) === accepted;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

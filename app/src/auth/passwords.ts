// Password policy and argon2id hashing. Passwords are NFKC-normalised so that visually identical input
// typed on different keyboards matches, measured in code points, and never truncated.
import argon2 from 'argon2';
import { AppError } from '../errors.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export interface Argon2Parameters {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  /** Hashes and verifications computed at once; the rest wait their turn. Default: unbounded. */
  concurrency?: number;
}

export interface PasswordTimer {
  /** Records how long one argon2 operation took. */
  observe(operation: 'hash' | 'verify', seconds: number): void;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean;
  /** Spends one verification on a dummy hash, so an unknown email costs as much as a wrong password. */
  verifyDummy(password: string): Promise<void>;
}

/**
 * NFKC-normalises and checks length.
 * @param password - the password as sent.
 * @returns its NFKC form, 12 to 128 characters (code points) long (OWASP ASVS 6.2).
 * @throws AppError `weak_password` when the normalised password is shorter or longer.
 */
export function normalizePassword(password: string): string {
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new AppError('weak_password', { message: `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.` });
  }
  return normalized;
}

/**
 * A first-in, first-out gate letting at most `limit` tasks run at once. argon2 runs on libuv's thread
 * pool and each hash holds its whole memory cost while it runs, so the gate bounds memory (limit x
 * memory cost) without lowering the parameters. Only a limit below the pool's size (UV_THREADPOOL_SIZE,
 * 4 by default) keeps pool threads free for dns.lookup and file work; the config's default, the CPU
 * count up to 4, fills the whole pool on a machine with 4 or more CPUs.
 * @param limit - tasks allowed to run at once (>= 1).
 * @returns a function that runs a task when a slot is free and resolves its result.
 */
export function createConcurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new TypeError('limit must be a whole number >= 1');
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < limit) running += 1;
    // A finishing task hands its slot straight to the first waiter, so `running` stays at the limit.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/**
 * The argon2id hasher (RFC 9106; OWASP password storage parameters): hash, verify and needsRehash
 * with the configured memory (KiB), iterations and parallelism, at most a few hashes at once.
 * @param parameters - memory cost in KiB, iterations (time cost) and parallelism (lanes).
 * @param timer - observes each hash and verify, in seconds (for a metric).
 * @returns the hasher; `verify` resolves false (never throws) for a malformed hash.
 */
export function createPasswordHasher(parameters: Argon2Parameters, timer?: PasswordTimer): PasswordHasher {
  const options: argon2.HashOptions = {
    type: argon2.argon2id,
    memoryCost: parameters.memoryKiB,
    timeCost: parameters.iterations,
    parallelism: parameters.parallelism,
  };
  const limit = parameters.concurrency === undefined ? <T>(task: () => Promise<T>) => task() : createConcurrencyLimit(parameters.concurrency);
  // The timer measures the computation only, not the wait in the queue (that shows in request latency).
  const timed = <T>(operation: 'hash' | 'verify', run: () => Promise<T>): Promise<T> =>
    limit(async () => {
      const started = process.hrtime.bigint();
      try {
        return await run();
      } finally {
        timer?.observe(operation, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
  // Made lazily with the live parameters, so the dummy verification costs what a real one costs.
  let dummyHash: Promise<string> | undefined;
  const verify = (hash: string, password: string) =>
    timed('verify', async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        // A malformed stored hash must read as "wrong password", not as a 500.
        return false;
      }
    });
  return {
    hash: (password) => timed('hash', () => argon2.hash(password, options)),
    verify,
    needsRehash: (hash) => {
      try {
        return argon2.needsRehash(hash, { memoryCost: parameters.memoryKiB, timeCost: parameters.iterations, parallelism: parameters.parallelism });
      } catch {
        return true;
      }
    },
    verifyDummy: async (password) => {
      dummyHash ??= argon2.hash('dummy-password-for-timing', options);
      await verify(await dummyHash, password);
    },
  };
}

// Breached-password check against the Have I Been Pwned range API, by k-anonymity:
// only the first 5 hex characters of the password's SHA-1 leave the process, and the suffix
// comparison happens here. `Add-Padding` makes every response a similar size so that an observer
// of the (TLS) traffic cannot guess the prefix from the response length.
// https://haveibeenpwned.com/API/v3#PwnedPasswords
import { createHash } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { AppError } from '../errors.ts';
import type { BreachedPasswordCheck } from './seams.ts';

export type BreachVerdict =
  /** The password appears at least `minBreachCount` times. */
  | { verdict: 'breached'; count: number }
  /** Not found (or below the threshold). */
  | { verdict: 'clean'; count: number }
  /** The API could not be asked; `failClosed` tells the caller whether to refuse. */
  | { verdict: 'unavailable'; reason: 'timeout' | 'http_error' | 'network_error' | 'bad_response'; failClosed: boolean };

export interface BreachedPasswordChecker {
  check(password: string): Promise<BreachVerdict>;
}

export interface HibpCheckerOptions {
  /** Base URL, e.g. `https://api.pwnedpasswords.com`; `/range/<prefix>` is appended. */
  apiUrl: string;
  timeoutMs: number;
  minBreachCount: number;
  failClosed: boolean;
  cacheTtlMs?: number;
  cacheMaxPrefixes?: number;
  now?: () => number;
  fetch?: typeof fetch;
  /** Where the lookup metrics are registered; omitted in tests that do not look at them. */
  registry?: Registry;
}

const DEFAULT_CACHE_TTL_MS = 60 * 60 * 1000;
// One parsed range is ~800 suffixes (padding entries are not kept), so 512 prefixes stay well under 50 MB.
const DEFAULT_CACHE_MAX_PREFIXES = 512;
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * Upper-case hex SHA-1, split into the 5-character prefix that is sent and the 35-character suffix that is not.
 * @param password - the password.
 * @returns the 5-character prefix and the 35-character suffix (HIBP range API k-anonymity).
 */
export function sha1PrefixSuffix(password: string): { prefix: string; suffix: string } {
  const digest = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  return { prefix: digest.slice(0, 5), suffix: digest.slice(5) };
}

/**
 * Parses `SUFFIX:COUNT` lines; padding entries (count 0) are dropped. Returns undefined on malformed input.
 * @param body - the text of `GET /range/{prefix}` (HIBP API v3, with Add-Padding).
 * @returns breach counts by suffix, or undefined when a line is malformed.
 */
export function parseRangeResponse(body: string): Map<string, number> | undefined {
  const counts = new Map<string, number>();
  for (const rawLine of body.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const match = /^([0-9A-F]{35}):(\d{1,12})$/i.exec(line);
    if (!match) return undefined;
    const count = Number(match[2]);
    if (count > 0) counts.set(match[1]!.toUpperCase(), count);
  }
  return counts;
}

class LookupError extends Error {
  constructor(readonly reason: 'timeout' | 'http_error' | 'network_error' | 'bad_response') {
    super(`breached password lookup failed: ${reason}`);
  }
}

function untilAborted<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Builds the HIBP checker. Lookups are cached per prefix; concurrent lookups of one prefix share a request.
 * @param options - API base URL, timeout (ms), fail-closed policy, minimum breach count, cache lifetime, registry, clock and fetch.
 * @returns the checker; it resolves a verdict, `breached`, `clean` or `unavailable` (with a reason), and never throws.
 * @throws TypeError when `minBreachCount` is below 1 or `timeoutMs` is not above 0.
 */
export function createHibpChecker(options: HibpCheckerOptions): BreachedPasswordChecker {
  if (!(options.minBreachCount >= 1)) throw new TypeError('minBreachCount must be >= 1');
  if (!(options.timeoutMs > 0)) throw new TypeError('timeoutMs must be > 0');
  const base = options.apiUrl.replace(/\/+$/, '').replace(/\/range$/, '');
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const cacheMax = options.cacheMaxPrefixes ?? DEFAULT_CACHE_MAX_PREFIXES;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const cache = new Map<string, { counts: Map<string, number>; expiresAt: number }>();
  const inFlight = new Map<string, Promise<Map<string, number>>>();
  const lookups = new Counter({
    name: 'auth_breached_password_lookups_total',
    help: 'Breached-password range lookups, served from the cache or fetched.',
    labelNames: ['result'] as const,
    registers: options.registry ? [options.registry] : [],
  });
  const failures = new Counter({
    name: 'auth_breached_password_lookup_failures_total',
    help: 'Breached-password lookups that could not be answered; the fail-open/closed policy then applies.',
    labelNames: ['reason'] as const,
    registers: options.registry ? [options.registry] : [],
  });

  async function fetchRange(prefix: string): Promise<Map<string, number>> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let body: string;
    try {
      // The race bounds the whole exchange (headers and body) even if a fetch implementation ignores the signal.
      body = await untilAborted(signal, async () => {
        const response = await doFetch(`${base}/range/${prefix}`, {
          headers: { 'Add-Padding': 'true', 'User-Agent': 'auth-platform' },
          signal,
        });
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          throw new LookupError('http_error');
        }
        return response.text();
      });
    } catch (error) {
      if (error instanceof LookupError) throw error;
      throw new LookupError(signal.aborted ? 'timeout' : 'network_error');
    }
    const counts = body.length <= MAX_RESPONSE_BYTES ? parseRangeResponse(body) : undefined;
    if (!counts) throw new LookupError('bad_response');
    return counts;
  }

  async function rangeFor(prefix: string): Promise<Map<string, number>> {
    const cached = cache.get(prefix);
    if (cached && cached.expiresAt > now()) {
      lookups.inc({ result: 'cache_hit' });
      return cached.counts;
    }
    lookups.inc({ result: 'fetch' });
    let pending = inFlight.get(prefix);
    if (!pending) {
      pending = fetchRange(prefix).finally(() => inFlight.delete(prefix));
      inFlight.set(prefix, pending);
    }
    const counts = await pending;
    cache.delete(prefix);
    cache.set(prefix, { counts, expiresAt: now() + cacheTtlMs });
    if (cache.size > cacheMax) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return counts;
  }

  return {
    async check(password: string): Promise<BreachVerdict> {
      const { prefix, suffix } = sha1PrefixSuffix(password);
      try {
        const count = (await rangeFor(prefix)).get(suffix) ?? 0;
        return count >= options.minBreachCount ? { verdict: 'breached', count } : { verdict: 'clean', count };
      } catch (error) {
        if (!(error instanceof LookupError)) throw error;
        failures.inc({ reason: error.reason });
        return { verdict: 'unavailable', reason: error.reason, failClosed: options.failClosed };
      }
    },
  };
}

/** The checker used when HIBP_ENABLED is false: every password is clean. */
export const disabledBreachedPasswordChecker: BreachedPasswordChecker = {
  check: async () => ({ verdict: 'clean', count: 0 }),
};

export interface BreachedPasswordSeamOptions {
  /** Told each time the API could not answer (e.g. to emit `breached_password_check_failed`). */
  onUnavailable?: (reason: string, failClosed: boolean) => void;
}

/**
 * Adapts a checker to the core's BreachedPasswordCheck seam: `breached` or `ok`, or AppError
 * `unavailable` (503) when the API is down and the policy is fail-closed.
 * @param checker - the HIBP checker.
 * @param options - `onUnavailable`, called with the reason whenever the API gave no answer.
 * @returns the seam the auth service calls.
 */
export function breachedPasswordCheck(checker: BreachedPasswordChecker, options: BreachedPasswordSeamOptions = {}): BreachedPasswordCheck {
  return {
    async check(password) {
      const result = await checker.check(password);
      if (result.verdict === 'breached') return 'breached';
      if (result.verdict === 'clean') return 'ok';
      options.onUnavailable?.(result.reason, result.failClosed);
      if (result.failClosed) throw new AppError('unavailable', { retryAfterSeconds: 30 });
      return 'ok';
    },
  };
}

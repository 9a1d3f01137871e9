// Per-client token buckets, in memory, one instance per process.
//
// This is deliberately approximate: with several App Runner instances a client can get up to
// `instances x limit`. It exists to blunt bursts cheaply close to the code; the global layer is
// App Runner's own throttling plus WAF rate-based rules, and the account lockout in PostgreSQL is
// the exact, cross-instance defence for passwords.
import type { Middleware } from 'koa';
import { AppError } from '../errors.ts';

export interface TokenBucketOptions {
  /** Sustained refill rate. */
  ratePerMinute: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  burst: number;
  /** Upper bound on tracked keys so that a flood of distinct IPs cannot exhaust memory. */
  maxKeys?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const DEFAULT_MAX_KEYS = 100_000;

export class TokenBucketLimiter {
  readonly #refillPerMs: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  // Map keeps insertion order; a key is re-inserted on use, so the first key is the least recently used.
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerMinute > 0) || !(options.burst >= 1)) {
      throw new TypeError('ratePerMinute must be > 0 and burst >= 1');
    }
    this.#refillPerMs = options.ratePerMinute / 60_000;
    this.#burst = options.burst;
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one token for `key`, or reports how long until one is available. */
  take(key: string): TakeResult {
    const now = this.#now();
    const previous = this.#buckets.get(key);
    const elapsed = previous ? Math.max(0, now - previous.updatedAt) : 0;
    const tokens = previous ? Math.min(this.#burst, previous.tokens + elapsed * this.#refillPerMs) : this.#burst;
    this.#buckets.delete(key);
    if (tokens >= 1) {
      this.#store(key, { tokens: tokens - 1, updatedAt: now });
      return { allowed: true, remaining: Math.floor(tokens - 1) };
    }
    this.#store(key, { tokens, updatedAt: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#refillPerMs / 1000)) };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #store(key: string, bucket: Bucket): void {
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) {
      // Evicting the least recently used key only ever gives that client a fresh (full) bucket.
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
  }
}

/**
 * Koa middleware: one token per request from `ctx.state.clientIp` (set by the client-ip middleware),
 * or 429 `rate_limited` with Retry-After. Give each endpoint group its own limiter so that, say,
 * refreshes cannot starve logins.
 * @param limiter - the token bucket of one endpoint group.
 * @returns the middleware.
 */
export function rateLimit(limiter: TokenBucketLimiter): Middleware {
  return async (ctx, next) => {
    const key = typeof ctx.state.clientIp === 'string' ? ctx.state.clientIp : 'unknown';
    const result = limiter.take(key);
    if (!result.allowed) {
      throw new AppError('rate_limited', { retryAfterSeconds: result.retryAfterSeconds });
    }
    await next();
  };
}

/** The endpoints that take credentials or tokens, each with its own per-IP bucket (issue 8). */
export const RATE_LIMITED_ENDPOINTS = ['POST /v1/sessions', 'POST /v1/users', 'POST /v1/tokens/refresh'] as const;

export interface CredentialRateLimitOptions {
  perMinute: number;
  burst: number;
  now?: () => number;
}

/** What a route declaration contributes to its bucket: the method and the path template it is registered with. */
export interface RateLimitedRoute {
  method: string;
  path: string;
}

/**
 * Rate-limits the credential endpoints only. Returns, for each route as it is registered with the router,
 * the middleware to run once the router has matched that route (empty for every other route).
 *
 * Issue 14: the bucket is chosen by the route the router matched, never by the request's spelling of
 * the path. Looking up the raw path once let `POST /v1/sessions/` (or any other spelling the router
 * accepts) reach the login handler without ever being limited.
 * @param options - sustained rate per minute, burst, and the clock (milliseconds).
 * @returns for each route, its middleware.
 */
export function credentialRateLimit(options: CredentialRateLimitOptions): (route: RateLimitedRoute) => Middleware[] {
  const limiters = new Map<string, Middleware>(
    RATE_LIMITED_ENDPOINTS.map((endpoint) => [endpoint, rateLimit(new TokenBucketLimiter({ ratePerMinute: options.perMinute, burst: options.burst, now: options.now }))]),
  );
  return (route) => {
    const limited = limiters.get(`${route.method.toUpperCase()} ${route.path}`);
    return limited ? [limited] : [];
  };
}

// The issue-8 hardening as createApp dependencies, built from config: login lockout in PostgreSQL,
// breached-password screening, and per-IP rate limits on the credential endpoints. main.ts and the
// security tests both build the app through this, so the tests prove the production wiring.
import type { Registry } from 'prom-client';
import { breachedPasswordCheck, createHibpChecker } from '../auth/breached-password.ts';
import { createLoginThrottle, type PostgresLoginThrottle } from '../auth/lockout.ts';
import type { BreachedPasswordCheck } from '../auth/seams.ts';
import type { Config } from '../config/index.ts';
import type { AuthEventEmitter } from '../events/emitter.ts';
import { databaseTransientErrors } from '../observability/metrics.ts';
import type { Sql } from '../store/db.ts';
import { createLockoutStore } from '../store/lockout-store.ts';
import { credentialRateLimit } from './rate-limit.ts';

export interface SecurityDepsInput {
  config: Config;
  sql: Sql;
  events: AuthEventEmitter;
  registry: Registry;
  clock: { now(): number };
  /** Replaces global fetch for the breached-password API (tests). */
  fetch?: typeof fetch;
}

export interface SecurityDeps {
  loginThrottle: PostgresLoginThrottle;
  breachedPasswords?: BreachedPasswordCheck;
  /** Per-route middleware: the per-IP buckets of the credential endpoints. */
  routeMiddleware: ReturnType<typeof credentialRateLimit>;
}

export function createSecurityDeps(input: SecurityDepsInput): SecurityDeps {
  const { config, sql, events, registry, clock } = input;
  const { lockout, hibp, rateLimit } = config.security;
  const loginThrottle = createLoginThrottle({
    store: createLockoutStore(sql, { onRetry: (kind) => databaseTransientErrors(registry).inc({ kind, outcome: 'retried' }) }),
    now: () => clock.now(),
    policy: {
      accountIpThreshold: lockout.ipThreshold,
      accountThreshold: lockout.threshold,
      windowSeconds: lockout.windowSeconds,
      baseDurationSeconds: lockout.baseDurationSeconds,
      maxDurationSeconds: lockout.maxDurationSeconds,
    },
  });
  const breachedPasswords = hibp.enabled
    ? breachedPasswordCheck(
        createHibpChecker({ ...hibp, registry, now: () => clock.now(), fetch: input.fetch }),
        // Fail-open or not, an unanswered check is recorded: a silent outage would disable the control.
        { onUnavailable: (reason) => events.emit({ type: 'breached_password_check_failed', outcome: 'failure', reason }) },
      )
    : undefined;
  const routeMiddleware = credentialRateLimit({ perMinute: rateLimit.perMinute, burst: rateLimit.burst, now: () => clock.now() });
  return { loginThrottle, breachedPasswords, routeMiddleware };
}

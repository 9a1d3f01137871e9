// The one wiring place (the model is Ory Kratos's driver registry): builds the domain services from
// config and the process's resources, and hands createApp the services it routes to. main.ts and the
// test harness (test/helpers/test-app.ts) both build the app through composeApp, so tests prove the
// production wiring: login lockout in PostgreSQL, breached-password screening, per-IP rate limits.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAuthService, type AuthService } from './auth/auth-service.ts';
import { breachedPasswordCheck, createHibpChecker } from './auth/breached-password.ts';
import { createLoginThrottle, type PostgresLoginThrottle } from './auth/lockout.ts';
import { createPasswordHasher, type PasswordHasher } from './auth/passwords.ts';
import type { BreachedPasswordCheck, LoginThrottle } from './auth/seams.ts';
import type { KeySet } from './auth/signing-keys.ts';
import type { Config } from './config/index.ts';
import type { AuthEventEmitter } from './events/emitter.ts';
import { createApp, type App, type AppDeps } from './http/app.ts';
import { credentialRateLimit } from './http/rate-limit.ts';
import type { Readiness } from './http/routes/system.ts';
import { createMetrics, databaseTransientErrors, type Metrics } from './observability/metrics.ts';
import type { Sql } from './store/db.ts';
import { createLockoutStore } from './store/lockout-store.ts';
import { retryAfterSeconds, transientDatabaseFailure } from './store/transient-errors.ts';

/** What the process (or a test) owns and the services are built from. */
export interface CompositionInput {
  config: Config;
  sql: Sql;
  keys: KeySet;
  /** Milliseconds since the epoch. */
  clock: { now(): number };
  events: AuthEventEmitter;
  registry: Registry;
  /** Replaces global fetch for the breached-password API (tests). */
  fetch?: typeof fetch;
  /** The registry's metrics, when already created (a registry takes each metric once). */
  metrics?: Metrics;
}

/** Services a test may replace; production passes none. */
export interface ServiceOverrides {
  /** Defaults to argon2id with the configured parameters, timed into the registry. */
  passwords?: PasswordHasher;
  /** Defaults to the PostgreSQL lockout; a test may pass another throttle (or `null` for none). */
  loginThrottle?: LoginThrottle | null;
  /** Defaults to the HIBP check when HIBP_ENABLED (`null` for none). */
  breachedPasswords?: BreachedPasswordCheck | null;
}

/** The domain services, built once. */
export interface Services {
  auth: AuthService;
  passwords: PasswordHasher;
  loginThrottle?: LoginThrottle;
  /** The PostgreSQL lockout when it is the throttle in use (main.ts purges its rows now and then). */
  lockout?: PostgresLoginThrottle;
  breachedPasswords?: BreachedPasswordCheck;
}

/**
 * Builds the domain services from config: the password hasher (argon2id, KiB and iterations from
 * config), the PostgreSQL login throttle (lockout policy in seconds), breached-password screening and
 * the auth service that uses them.
 * @param input - config and resources.
 * @param overrides - services a test replaces.
 * @returns the services.
 * @throws TypeError when the lockout thresholds are below 1 (createLoginThrottle).
 */
export function composeServices(input: CompositionInput, overrides: ServiceOverrides = {}): Services {
  const { config, sql, events, registry, clock } = input;
  const { hibp } = config.security;
  const policy = config.security.lockout;
  const onDatabaseRetry = (kind: string) => databaseTransientErrors(registry).inc({ kind, outcome: 'retried' });
  const metrics = input.metrics ?? createMetrics(registry);
  const passwords =
    overrides.passwords ?? createPasswordHasher(config.argon2, { observe: (operation, seconds) => metrics.argon2Duration.observe({ operation }, seconds) });
  const lockout =
    overrides.loginThrottle !== undefined
      ? undefined
      : createLoginThrottle({
          store: createLockoutStore(sql, { onRetry: onDatabaseRetry }),
          now: () => clock.now(),
          policy: {
            accountIpThreshold: policy.ipThreshold,
            accountThreshold: policy.threshold,
            windowSeconds: policy.windowSeconds,
            baseDurationSeconds: policy.baseDurationSeconds,
            maxDurationSeconds: policy.maxDurationSeconds,
          },
        });
  const loginThrottle = overrides.loginThrottle === null ? undefined : (overrides.loginThrottle ?? lockout);
  const breachedPasswords =
    overrides.breachedPasswords === null
      ? undefined
      : (overrides.breachedPasswords ??
        (hibp.enabled
          ? breachedPasswordCheck(
              createHibpChecker({ ...hibp, registry, now: () => clock.now(), fetch: input.fetch }),
              // Fail-open or not, an unanswered check is recorded: a silent outage would disable the control.
              { onUnavailable: (reason) => events.emit({ type: 'breached_password_check_failed', outcome: 'failure', reason }) },
            )
          : undefined));
  const auth = createAuthService({ config, sql, keys: input.keys, clock, events, passwords, loginThrottle, breachedPasswords, onDatabaseRetry });
  return { auth, passwords, loginThrottle, lockout, breachedPasswords };
}

/** What composeApp needs beyond the services' input. */
export interface AppCompositionInput extends CompositionInput {
  logger: Logger;
  readiness: Readiness;
  /** HTTP seams a test may replace (client IP resolution, extra middleware). */
  http?: Pick<AppDeps, 'clientIp' | 'middleware'>;
}

/**
 * Builds the services and the Koa app that routes to them, with the per-IP rate limits of the
 * credential endpoints (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST) and the transient-database-failure
 * classification of store/transient-errors (503 with Retry-After in seconds).
 * @param input - config, resources, logger and readiness checks.
 * @param overrides - services a test replaces.
 * @returns the app and the services behind it.
 * @throws TypeError when the lockout thresholds are below 1.
 */
export function composeApp(input: AppCompositionInput, overrides: ServiceOverrides = {}): { app: App; services: Services } {
  const metrics = input.metrics ?? createMetrics(input.registry);
  const services = composeServices({ ...input, metrics }, overrides);
  const { rateLimit } = input.config.security;
  const app = createApp({
    config: input.config,
    auth: services.auth,
    keys: input.keys,
    logger: input.logger,
    registry: input.registry,
    metrics,
    readiness: input.readiness,
    routeMiddleware: credentialRateLimit({ perMinute: rateLimit.perMinute, burst: rateLimit.burst, now: () => input.clock.now() }),
    transientFailure: (error) => {
      const kind = transientDatabaseFailure(error);
      return kind === undefined ? undefined : { kind, retryAfterSeconds: retryAfterSeconds(kind) };
    },
    ...input.http,
  });
  return { app, services };
}

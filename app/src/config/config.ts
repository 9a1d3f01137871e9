// One typed, validated configuration object, built once at start-up from an env object (process.env in
// main.ts, a literal in tests). Every problem is reported at once, each naming its variable.
import { availableParallelism } from 'node:os';
import { configVariables, variables, type ConfigValues, type VariableName } from './variables.ts';

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

function parseValues(env: Env, only?: readonly VariableName[]): { values: Partial<ConfigValues>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const variable of configVariables.filter((each) => !only || only.includes(each.name))) {
    const raw = env[variable.name];
    // An empty string is treated as unset: compose and App Runner often pass `VAR=` for "nothing".
    const text = raw === undefined || raw === '' ? variable.default : raw;
    if (text === undefined) {
      if (variable.required) problems.push(`${variable.name}: required, ${variable.description}`);
      continue;
    }
    const result = variables[variable.name].parse.safeParse(text);
    if (result.success) {
      values[variable.name] = result.data;
    } else {
      // Messages describe the expectation only; values are never echoed, since some are secrets.
      const messages = [...new Set(result.error.issues.map((issue) => issue.message))];
      problems.push(`${variable.name}: ${messages.join('; ')}`);
    }
  }
  return { values: values as Partial<ConfigValues>, problems };
}

function crossChecks(values: Partial<ConfigValues>): string[] {
  const problems: string[] = [];
  if (values.NODE_ENV === 'production' && values.JWT_SIGNING_KEYS === undefined) {
    problems.push('JWT_SIGNING_KEYS: required when NODE_ENV=production (ephemeral keys would invalidate every token on restart)');
  }
  if (values.SESSION_MAX_TTL !== undefined && values.REFRESH_IDLE_TTL !== undefined && values.SESSION_MAX_TTL < values.REFRESH_IDLE_TTL) {
    problems.push('SESSION_MAX_TTL: expected at least REFRESH_IDLE_TTL');
  }
  // Longer than any client retry needs only widens the window in which a stolen, just-rotated token works.
  if (values.REFRESH_REUSE_INTERVAL !== undefined && values.REFRESH_REUSE_INTERVAL > 300) {
    problems.push('REFRESH_REUSE_INTERVAL: expected at most 5m');
  }
  if (values.LOCKOUT_MAX_DURATION !== undefined && values.LOCKOUT_BASE_DURATION !== undefined && values.LOCKOUT_MAX_DURATION < values.LOCKOUT_BASE_DURATION) {
    problems.push('LOCKOUT_MAX_DURATION: expected at least LOCKOUT_BASE_DURATION');
  }
  // The per-IP level must trip first; otherwise one attacker locks the whole account before any per-IP
  // lock, and the lockout becomes a denial-of-service weapon (architecture/THREAT_MODEL.md).
  if (values.LOCKOUT_THRESHOLD !== undefined && values.LOCKOUT_IP_THRESHOLD !== undefined && values.LOCKOUT_THRESHOLD < values.LOCKOUT_IP_THRESHOLD) {
    problems.push('LOCKOUT_THRESHOLD: expected at least LOCKOUT_IP_THRESHOLD (the whole-account lock must come after the per-IP one)');
  }
  if (values.DATABASE_SSL_ROOT_CERT !== undefined && values.DATABASE_SSL !== 'verify-full') {
    problems.push('DATABASE_SSL_ROOT_CERT: only used with DATABASE_SSL=verify-full (require encrypts without checking the certificate)');
  }
  problems.push(...urlSslModeChecks(values));
  if (values.CLICKHOUSE_URL !== undefined && values.CLICKHOUSE_USER === undefined) {
    problems.push('CLICKHOUSE_USER: required when CLICKHOUSE_URL is set (a least-privilege user, not the server\'s default admin)');
  }
  // Tokens minted with the development issuer would be accepted by any verifier configured the same way.
  if (values.NODE_ENV === 'production' && values.JWT_ISSUER !== undefined && !values.JWT_ISSUER.startsWith('https://')) {
    problems.push('JWT_ISSUER: expected the https:// URL of the service when NODE_ENV=production');
  }
  return problems;
}

// libpq's sslmode values; another value is not echoed (the URL around it is a secret).
const LIBPQ_SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

/**
 * A `sslmode` (or postgres.js's `ssl`) in a database URL must agree with DATABASE_SSL: postgres.js 3.4 lets
 * its `ssl` option, which db.ts always sets from DATABASE_SSL, override the URL's, so a disagreeing one would
 * be silently ignored (e.g. `sslmode=verify-full` in the secret, written by the rotation runbook, under
 * DATABASE_SSL=require). Refused rather than guessed at.
 */
function urlSslModeChecks(values: Partial<ConfigValues>): string[] {
  const mode = values.DATABASE_SSL ?? (values.NODE_ENV === 'production' ? 'require' : 'disable');
  const problems: string[] = [];
  for (const name of ['DATABASE_URL', 'DATABASE_MIGRATION_URL'] as const) {
    const url = values[name];
    if (url === undefined || !URL.canParse(url)) continue;
    const params = new URL(url).searchParams;
    for (const key of ['sslmode', 'ssl'] as const) {
      const given = params.get(key);
      if (given === null || given === mode) continue;
      const shown = LIBPQ_SSLMODES.has(given) ? `${key}=${given}` : `its ${key}`;
      problems.push(`${name}: ${shown} in the URL disagrees with DATABASE_SSL=${mode}, which decides; remove it from the URL or make the two agree`);
    }
  }
  return problems;
}

function build(values: ConfigValues) {
  const production = values.NODE_ENV === 'production';
  return {
    nodeEnv: values.NODE_ENV,
    production,
    port: values.PORT,
    /** Undefined: every interface. */
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    serviceVersion: values.SERVICE_VERSION,
    environment: values.DEPLOY_ENVIRONMENT,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    database: {
      url: values.DATABASE_URL,
      migrationUrl: values.DATABASE_MIGRATION_URL ?? values.DATABASE_URL,
      poolMax: values.DATABASE_POOL_MAX,
      ssl: values.DATABASE_SSL ?? (production ? 'require' : 'disable'),
      sslRootCert: values.DATABASE_SSL_ROOT_CERT,
    },
    jwt: {
      issuer: values.JWT_ISSUER,
      audience: values.JWT_AUDIENCE,
      /** Undefined outside production when unset: the key set module then generates an ephemeral key. */
      signingKeys: values.JWT_SIGNING_KEYS,
      accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL,
    },
    sessions: {
      refreshIdleTtlSeconds: values.REFRESH_IDLE_TTL,
      maxTtlSeconds: values.SESSION_MAX_TTL,
      refreshReuseIntervalSeconds: values.REFRESH_REUSE_INTERVAL,
    },
    argon2: {
      memoryKiB: values.ARGON2_MEMORY_KIB,
      iterations: values.ARGON2_ITERATIONS,
      parallelism: values.ARGON2_PARALLELISM,
      // argon2 runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise): more
      // hashes in flight than CPUs only add memory (ARGON2_MEMORY_KIB each) and latency, not throughput.
      concurrency: values.ARGON2_CONCURRENCY ?? Math.min(availableParallelism(), 4),
    },
    clickhouse: values.CLICKHOUSE_URL === undefined ? undefined : {
      url: values.CLICKHOUSE_URL,
      user: values.CLICKHOUSE_USER,
      password: values.CLICKHOUSE_PASSWORD ?? '',
      database: values.CLICKHOUSE_DATABASE,
      asyncInsert: values.CLICKHOUSE_ASYNC_INSERT,
    },
    events: {
      batchSize: values.EVENTS_BATCH_SIZE,
      flushIntervalMs: values.EVENTS_FLUSH_INTERVAL_MS,
      queueCapacity: values.EVENTS_QUEUE_CAPACITY,
    },
    security: {
      trustedProxyHops: values.TRUSTED_PROXY_HOPS,
      lockout: {
        threshold: values.LOCKOUT_THRESHOLD,
        ipThreshold: values.LOCKOUT_IP_THRESHOLD,
        windowSeconds: values.LOCKOUT_WINDOW,
        baseDurationSeconds: values.LOCKOUT_BASE_DURATION,
        maxDurationSeconds: values.LOCKOUT_MAX_DURATION,
      },
      rateLimit: { perMinute: values.RATE_LIMIT_PER_MINUTE, burst: values.RATE_LIMIT_BURST },
      hibp: {
        enabled: values.HIBP_ENABLED,
        apiUrl: values.HIBP_API_URL,
        timeoutMs: values.HIBP_TIMEOUT_MS,
        failClosed: values.HIBP_FAIL_CLOSED,
        minBreachCount: values.HIBP_MIN_BREACH_COUNT,
      },
      registrationEnumerationSafe: values.REGISTRATION_ENUMERATION_SAFE,
    },
  };
}

export type Config = ReturnType<typeof build>;

/**
 * Builds the configuration from an environment object.
 * @throws ConfigError listing every invalid or missing variable.
 * @param env - the environment variables (processEnv() in production, a literal object in tests).
 * @returns the validated configuration; durations in seconds, argon2 memory in KiB.
 */
export function loadConfig(env: Env): Config {
  const { values, problems } = parseValues(env);
  problems.push(...crossChecks(values));
  if (problems.length > 0) throw new ConfigError(problems);
  return build(values as ConfigValues);
}

const CLICKHOUSE_VARIABLES: readonly VariableName[] = ['CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE', 'CLICKHOUSE_ASYNC_INSERT'];

/**
 * Builds only the ClickHouse settings (CLICKHOUSE_*), for tools that query ClickHouse and nothing else
 * (ops:auth-report), so they do not demand a DATABASE_URL they never use.
 * @param env the environment object, as for loadConfig.
 * @returns the same object as `loadConfig(env).clickhouse`: undefined when CLICKHOUSE_URL is unset.
 * @throws ConfigError (code `invalid_config`) listing every invalid CLICKHOUSE_* variable.
 */
export function loadClickHouseConfig(env: Env): Config['clickhouse'] {
  const { values, problems } = parseValues(env, CLICKHOUSE_VARIABLES);
  problems.push(...crossChecks(values));
  if (problems.length > 0) throw new ConfigError(problems);
  return values.CLICKHOUSE_URL === undefined ? undefined : {
    url: values.CLICKHOUSE_URL,
    user: values.CLICKHOUSE_USER,
    password: values.CLICKHOUSE_PASSWORD ?? '',
    database: values.CLICKHOUSE_DATABASE!,
    asyncInsert: values.CLICKHOUSE_ASYNC_INSERT!,
  };
}

/** Names of the variables that hold secrets, for redaction. */
export const secretVariableNames: readonly VariableName[] = configVariables.filter((variable) => variable.secret).map((variable) => variable.name);

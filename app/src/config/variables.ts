// Every environment variable the service reads, in one table: name, whether it is required, whether it
// is a secret, its default and what it means. The table drives parsing (config.ts), the documentation
// and the repository tests that compare it with Terraform, compose and .env.example.
import { z } from 'zod';
import { DURATION_FORMAT, parseDurationSeconds } from './duration.ts';
import { parseSigningJwkSet, type SigningJwkSet } from './jwk-set.ts';

type Parser<T> = z.ZodType<T, string>;

interface VariableSpec<T> {
  description: string;
  parse: Parser<T>;
  default?: string;
  secret?: boolean;
  /** Required variables have no default and must be set. */
  required?: boolean;
}

// Keeps the literal `default` / `required` in the type so ConfigValues knows which values are always present.
const spec = <T, const O extends Omit<VariableSpec<T>, 'parse'>>(options: O & { parse: Parser<T> }): O & { parse: Parser<T> } => options;

const integer = (min: number, max: number): Parser<number> =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

const duration = (minSeconds: number): Parser<number> =>
  z.string().transform((text, ctx) => {
    const seconds = parseDurationSeconds(text);
    if (seconds === undefined || seconds < minSeconds) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_FORMAT}, at least ${minSeconds}s` });
      return z.NEVER;
    }
    return seconds;
  });

const boolean: Parser<boolean> = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((text) => text === 'true' || text === '1');

const url = (protocols: RegExp, what: string): Parser<string> =>
  z.string().refine((text) => {
    try {
      return protocols.test(new URL(text).protocol);
    } catch {
      return false;
    }
  }, `expected a ${what} URL`);

const text = (max = 256): Parser<string> => z.string().min(1).max(max);

const signingKeys: Parser<SigningJwkSet> = z.string().transform((value, ctx) => {
  const parsed = parseSigningJwkSet(value);
  if (parsed.ok) return parsed.value;
  for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

const postgresUrl = url(/^postgres(ql)?:$/, 'postgres://');
const httpUrl = url(/^https?:$/, 'http(s)://');

export const variables = {
  NODE_ENV: spec({ description: 'development, test or production. Production refuses to start without JWT_SIGNING_KEYS.', parse: z.enum(['development', 'test', 'production']), default: 'development' }),
  PORT: spec({ description: 'TCP port the HTTP server listens on.', parse: integer(0, 65_535), default: '8080' }),
  HOST: spec({ description: 'Address the HTTP server binds to. Unset: every interface, as the container needs; npm run dev sets 127.0.0.1.', parse: text(255) }),
  LOG_LEVEL: spec({ description: 'pino log level: fatal, error, warn, info, debug, trace or silent.', parse: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info' }),
  SERVICE_VERSION: spec({ description: 'Version reported in logs and auth events, normally the git SHA of the image.', parse: text(128), default: 'dev' }),
  DEPLOY_ENVIRONMENT: spec({ description: 'Deployment environment name (local, dev, staging, prod) reported in logs and auth events.', parse: text(64), default: 'local' }),
  SHUTDOWN_TIMEOUT_MS: spec({ description: 'Upper bound in milliseconds for graceful shutdown (in-flight requests, event flush, pool close).', parse: integer(100, 600_000), default: '10000' }),

  DATABASE_URL: spec({ description: 'PostgreSQL URL of the least-privilege application role.', parse: postgresUrl, required: true, secret: true }),
  DATABASE_MIGRATION_URL: spec({ description: 'PostgreSQL URL of the schema owner, used only to run migrations. Falls back to DATABASE_URL when unset.', parse: postgresUrl, secret: true }),
  DATABASE_POOL_MAX: spec({ description: 'Maximum connections in the application pool.', parse: integer(1, 200), default: '10' }),
  DATABASE_SSL: spec({ description: 'TLS to PostgreSQL: disable, require (encrypted) or verify-full (encrypted, certificate and host checked). Default: require when NODE_ENV=production, else disable.', parse: z.enum(['disable', 'require', 'verify-full']) }),
  DATABASE_SSL_ROOT_CERT: spec({ description: 'PEM file of the CA certificates that DATABASE_SSL=verify-full trusts (libpq\'s sslrootcert). The image carries the AWS RDS bundle at /srv/auth/certs/aws-rds-ca-bundle.pem. Unset: node\'s built-in public roots.', parse: text(4096) }),

  JWT_ISSUER: spec({ description: 'The `iss` claim of access tokens, normally the public base URL of the service.', parse: text(), default: 'http://localhost:8080' }),
  JWT_AUDIENCE: spec({ description: 'The `aud` claim of access tokens.', parse: text(), default: 'auth-platform' }),
  JWT_SIGNING_KEYS: spec({ description: 'JWK set JSON of ES256 private keys, each with kid, alg ES256, d and status next|current|previous (exactly one current). Unset outside production: an ephemeral key is generated.', parse: signingKeys, secret: true }),
  ACCESS_TOKEN_TTL: spec({ description: `Access token lifetime: ${DURATION_FORMAT}.`, parse: duration(10), default: '15m' }),
  REFRESH_IDLE_TTL: spec({ description: `A session ends when its refresh token is unused this long: ${DURATION_FORMAT}.`, parse: duration(60), default: '7d' }),
  REFRESH_REUSE_INTERVAL: spec({ description: `A rotated refresh token presented again within this time after its first use, while its successor is still unused, is a benign double send (two tabs, a retry): it gets a new access token and that same successor, instead of revoking the session as reuse. 0 turns it off; at most 5m (see architecture/THREAT_MODEL.md): ${DURATION_FORMAT}.`, parse: duration(0), default: '30s' }),
  SESSION_MAX_TTL: spec({ description: `Absolute session lifetime, whatever the activity: ${DURATION_FORMAT}.`, parse: duration(60), default: '30d' }),

  ARGON2_MEMORY_KIB: spec({ description: 'argon2id memory cost in KiB (OWASP minimum 19456).', parse: integer(8, 4_194_304), default: '19456' }),
  ARGON2_ITERATIONS: spec({ description: 'argon2id time cost (iterations).', parse: integer(1, 100), default: '2' }),
  ARGON2_PARALLELISM: spec({ description: 'argon2id parallelism (lanes).', parse: integer(1, 16), default: '1' }),
  ARGON2_CONCURRENCY: spec({ description: 'argon2id hashes and verifications computed at once; more wait in a queue. Each holds ARGON2_MEMORY_KIB of memory. Unset: the CPUs the process may use, at most 4 (the libuv thread pool).', parse: integer(1, 64) }),

  CLICKHOUSE_URL: spec({ description: 'ClickHouse HTTP(S) URL for auth events. Unset: events are logged instead.', parse: httpUrl }),
  CLICKHOUSE_USER: spec({ description: 'ClickHouse user for auth events; required with CLICKHOUSE_URL. No default: a stock server\'s `default` user is its administrator.', parse: text() }),
  CLICKHOUSE_PASSWORD: spec({ description: 'ClickHouse password for auth events.', parse: z.string().max(1024), secret: true }),
  CLICKHOUSE_DATABASE: spec({ description: 'ClickHouse database holding the auth events table.', parse: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a database identifier'), default: 'auth' }),
  CLICKHOUSE_ASYNC_INSERT: spec({ description: 'Use ClickHouse async_insert (ClickHouse Cloud); old servers do not support it.', parse: boolean, default: 'false' }),
  EVENTS_BATCH_SIZE: spec({ description: 'Auth events per ClickHouse insert.', parse: integer(1, 100_000), default: '500' }),
  EVENTS_FLUSH_INTERVAL_MS: spec({ description: 'Longest time in milliseconds an auth event waits in the queue before a flush.', parse: integer(10, 600_000), default: '1000' }),
  EVENTS_QUEUE_CAPACITY: spec({ description: 'Auth events held in memory; beyond this the oldest are dropped and counted.', parse: integer(1, 10_000_000), default: '10000' }),

  TRUSTED_PROXY_HOPS: spec({ description: 'Number of trusted proxies in front of the service (App Runner: 1). The client IP is that many entries from the right of X-Forwarded-For; 0 uses the socket address.', parse: integer(0, 10), default: '1' }),
  LOCKOUT_THRESHOLD: spec({ description: 'Failed logins for one account from all client IPs within LOCKOUT_WINDOW before the whole account is locked. Larger than LOCKOUT_IP_THRESHOLD so that one attacker cannot lock the owner out (see architecture/THREAT_MODEL.md).', parse: integer(1, 10_000), default: '50' }),
  LOCKOUT_IP_THRESHOLD: spec({ description: 'Failed logins for one account from one client IP within LOCKOUT_WINDOW before that account is locked for that IP; the first level of the lockout.', parse: integer(1, 100_000), default: '10' }),
  LOCKOUT_WINDOW: spec({ description: `Window in which failed logins are counted: ${DURATION_FORMAT}.`, parse: duration(1), default: '15m' }),
  LOCKOUT_BASE_DURATION: spec({ description: `First lockout duration, doubled on each further lockout: ${DURATION_FORMAT}.`, parse: duration(1), default: '1m' }),
  LOCKOUT_MAX_DURATION: spec({ description: `Longest lockout: ${DURATION_FORMAT}.`, parse: duration(1), default: '15m' }),
  RATE_LIMIT_PER_MINUTE: spec({ description: 'Sustained requests per minute per client IP on the credential endpoints.', parse: integer(1, 1_000_000), default: '30' }),
  RATE_LIMIT_BURST: spec({ description: 'Requests a client IP may burst above the sustained rate.', parse: integer(1, 1_000_000), default: '10' }),
  HIBP_ENABLED: spec({ description: 'Check new passwords against Have I Been Pwned (k-anonymity range API).', parse: boolean, default: 'true' }),
  HIBP_API_URL: spec({ description: 'Base URL of the Pwned Passwords range API.', parse: httpUrl, default: 'https://api.pwnedpasswords.com' }),
  HIBP_TIMEOUT_MS: spec({ description: 'Timeout in milliseconds for one Pwned Passwords request.', parse: integer(50, 60_000), default: '1500' }),
  HIBP_FAIL_CLOSED: spec({ description: 'When the Pwned Passwords API is unreachable: true rejects the password (503 unavailable), false accepts it (fail open).', parse: boolean, default: 'false' }),
  HIBP_MIN_BREACH_COUNT: spec({ description: 'A password seen in at least this many breaches is rejected.', parse: integer(1, 1_000_000_000), default: '1' }),
  REGISTRATION_ENUMERATION_SAFE: spec({ description: 'When true, registering an existing email answers like a new registration instead of 409 email_taken, so emails cannot be enumerated.', parse: boolean, default: 'false' }),
};

export type VariableName = keyof typeof variables;

type Values = { [K in VariableName]: (typeof variables)[K] extends VariableSpec<infer T> ? T : never };
/** Parsed values: variables with a default or marked required are always present. */
export type ConfigValues = {
  [K in VariableName]: (typeof variables)[K] extends { default: string } | { required: true } ? Values[K] : Values[K] | undefined;
};

export interface ConfigVariable {
  name: VariableName;
  required: boolean;
  secret: boolean;
  default: string | undefined;
  description: string;
}

/** The machine-readable variable table, for docs and repository tests. */
export const configVariables: readonly ConfigVariable[] = Object.entries(variables).map(([name, entry]) => {
  const options = entry as VariableSpec<unknown>;
  return {
    name: name as VariableName,
    required: options.required === true,
    secret: options.secret === true,
    default: options.default,
    description: options.description,
  };
});

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import test from 'ava';
import { ConfigError, configVariables, loadConfig, parseDurationSeconds } from '../../src/config/index.ts';
import { generateSigningJwk } from '../../src/auth/signing-keys.ts';

const BASE = { DATABASE_URL: 'postgres://app:secret@db.internal:5432/auth' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

test('defaults give a complete development config', (t) => {
  const config = loadConfig(BASE);
  t.is(config.port, 8080);
  t.is(config.nodeEnv, 'development');
  t.is(config.jwt.accessTokenTtlSeconds, 900);
  t.is(config.sessions.refreshIdleTtlSeconds, 7 * 86_400);
  t.is(config.sessions.maxTtlSeconds, 30 * 86_400);
  t.deepEqual(config.argon2, { memoryKiB: 19_456, iterations: 2, parallelism: 1, concurrency: Math.min(availableParallelism(), 4) });
  t.is(config.database.migrationUrl, BASE.DATABASE_URL);
  t.is(config.database.ssl, 'disable');
  t.is(config.jwt.signingKeys, undefined);
  t.is(config.clickhouse, undefined);
  t.deepEqual(config.events, { batchSize: 500, flushIntervalMs: 1000, queueCapacity: 10_000 });
  t.is(config.security.trustedProxyHops, 1);
  t.deepEqual(config.security.rateLimit, { perMinute: 30, burst: 10 });
  t.like(config.security.hibp, { enabled: true, timeoutMs: 1500, failClosed: false, minBreachCount: 1 });
  t.is(config.security.registrationEnumerationSafe, false);
  // Issue 8: the account+IP pair locks first (10); the whole account only at the larger threshold (50).
  t.is(config.security.lockout.ipThreshold, 10);
  t.is(config.security.lockout.threshold, 50);
});

test('every problem is reported at once, each naming its variable', (t) => {
  const problems = problemsOf({ PORT: 'eighty', ACCESS_TOKEN_TTL: '15 minutes', NODE_ENV: 'staging', HIBP_ENABLED: 'yes', DATABASE_SSL: 'on' });
  const named = problems.map((problem) => problem.split(':')[0]);
  t.deepEqual(named.sort(), ['ACCESS_TOKEN_TTL', 'DATABASE_SSL', 'DATABASE_URL', 'HIBP_ENABLED', 'NODE_ENV', 'PORT']);
  const error = t.throws(() => loadConfig({ PORT: 'eighty' }), { instanceOf: ConfigError });
  t.regex(error.message, /PORT/);
  t.regex(error.message, /DATABASE_URL: required/);
});

test('secret values are never echoed in problems', (t) => {
  const problems = problemsOf({ DATABASE_URL: 'mysql://user:hunter2-secret@x/db', JWT_SIGNING_KEYS: '{"keys":[{"d":"hunter3-secret"}]}' });
  t.true(problems.some((problem) => problem.startsWith('DATABASE_URL:')));
  t.true(problems.some((problem) => problem.startsWith('JWT_SIGNING_KEYS:')));
  t.false(problems.join('\n').includes('hunter'));
});

test('production refuses to start without signing keys', (t) => {
  t.true(problemsOf({ ...BASE, NODE_ENV: 'production' }).some((problem) => problem.startsWith('JWT_SIGNING_KEYS: required when NODE_ENV=production')));
  const keys = JSON.stringify({ keys: [generateSigningJwk('current', 'k1')] });
  const config = loadConfig({ ...BASE, NODE_ENV: 'production', JWT_SIGNING_KEYS: keys, JWT_ISSUER: 'https://auth.example.com' });
  t.is(config.jwt.signingKeys?.keys[0]?.kid, 'k1');
  t.is(config.database.ssl, 'require');
});

test('production refuses the development issuer or any non-https issuer', (t) => {
  const keys = JSON.stringify({ keys: [generateSigningJwk('current', 'k1')] });
  for (const issuer of [undefined, 'http://auth.example.com']) {
    const env = { ...BASE, NODE_ENV: 'production', JWT_SIGNING_KEYS: keys, ...(issuer ? { JWT_ISSUER: issuer } : {}) };
    t.true(problemsOf(env).some((problem) => problem.startsWith('JWT_ISSUER: expected the https:// URL')), String(issuer));
  }
});

test('the whole-account lockout threshold cannot be below the per-IP one', (t) => {
  t.true(problemsOf({ ...BASE, LOCKOUT_THRESHOLD: '5', LOCKOUT_IP_THRESHOLD: '10' }).some((problem) => problem.startsWith('LOCKOUT_THRESHOLD: expected at least LOCKOUT_IP_THRESHOLD')));
  t.false(problemsOf({ ...BASE, LOCKOUT_THRESHOLD: '10', LOCKOUT_IP_THRESHOLD: '10' }).some((problem) => problem.startsWith('LOCKOUT_THRESHOLD')));
});

test('a signing key set needs exactly one current key and unique kids', (t) => {
  const next = generateSigningJwk('next', 'a');
  const twoCurrent = JSON.stringify({ keys: [generateSigningJwk('current', 'a'), generateSigningJwk('current', 'b')] });
  const noCurrent = JSON.stringify({ keys: [next] });
  const duplicate = JSON.stringify({ keys: [next, generateSigningJwk('current', 'a')] });
  t.regex(problemsOf({ ...BASE, JWT_SIGNING_KEYS: twoCurrent }).join(), /exactly one key with status "current", found 2/);
  t.regex(problemsOf({ ...BASE, JWT_SIGNING_KEYS: noCurrent }).join(), /found 0/);
  t.regex(problemsOf({ ...BASE, JWT_SIGNING_KEYS: duplicate }).join(), /unique kid/);
  t.regex(problemsOf({ ...BASE, JWT_SIGNING_KEYS: 'not json' }).join(), /JWK set as JSON/);
  const broken = { ...generateSigningJwk('current', 'bad'), d: 'AAAA' };
  t.regex(problemsOf({ ...BASE, JWT_SIGNING_KEYS: JSON.stringify({ keys: [broken] }) }).join(), /key "bad" is not a valid P-256 private key/);
});

const durationCase = test.macro((t, text: string, seconds: number | undefined) => {
  t.is(parseDurationSeconds(text), seconds);
});
for (const [text, seconds] of [['900', 900], ['900s', 900], ['15m', 900], ['12h', 43_200], ['30d', 2_592_000], ['1.5h', undefined], ['15 m', undefined], ['-5', undefined], ['', undefined], ['1w', undefined]] as const) {
  test(`duration ${JSON.stringify(text)}`, durationCase, text, seconds);
}

test('an empty value counts as unset', (t) => {
  t.is(loadConfig({ ...BASE, PORT: '', CLICKHOUSE_URL: '' }).port, 8080);
});

test('ARGON2_CONCURRENCY bounds argon2 in flight: set explicitly, or the CPU count up to 4', (t) => {
  t.is(loadConfig({ ...BASE, ARGON2_CONCURRENCY: '3' }).argon2.concurrency, 3);
  t.is(loadConfig(BASE).argon2.concurrency, Math.min(availableParallelism(), 4));
  t.regex(problemsOf({ ...BASE, ARGON2_CONCURRENCY: '0' }).join(), /ARGON2_CONCURRENCY: expected at least 1/);
});

test('ClickHouse settings appear only with CLICKHOUSE_URL', (t) => {
  const config = loadConfig({ ...BASE, CLICKHOUSE_URL: 'http://127.0.0.1:8123', CLICKHOUSE_USER: 'auth_app', CLICKHOUSE_PASSWORD: 'pw', CLICKHOUSE_ASYNC_INSERT: 'true' });
  t.deepEqual(config.clickhouse, { url: 'http://127.0.0.1:8123', user: 'auth_app', password: 'pw', database: 'auth', asyncInsert: true });
});

test('CLICKHOUSE_URL without CLICKHOUSE_USER is refused rather than falling back to the admin user', (t) => {
  t.true(problemsOf({ ...BASE, CLICKHOUSE_URL: 'http://127.0.0.1:8123' }).some((problem) => problem.startsWith('CLICKHOUSE_USER: required when CLICKHOUSE_URL is set')));
});

test('cross-variable checks', (t) => {
  t.regex(problemsOf({ ...BASE, SESSION_MAX_TTL: '1h', REFRESH_IDLE_TTL: '2h' }).join(), /SESSION_MAX_TTL: expected at least REFRESH_IDLE_TTL/);
  t.regex(problemsOf({ ...BASE, REFRESH_REUSE_INTERVAL: '6m' }).join(), /REFRESH_REUSE_INTERVAL: expected at most 5m/);
  t.deepEqual(problemsOf({ ...BASE, REFRESH_REUSE_INTERVAL: '0' }), []);
  t.regex(problemsOf({ ...BASE, LOCKOUT_BASE_DURATION: '2h', LOCKOUT_MAX_DURATION: '1h' }).join(), /LOCKOUT_MAX_DURATION/);
  // A CA bundle with `require` would read as verified while nothing is checked.
  t.regex(problemsOf({ ...BASE, DATABASE_SSL: 'require', DATABASE_SSL_ROOT_CERT: '/ca.pem' }).join(), /DATABASE_SSL_ROOT_CERT: only used with DATABASE_SSL=verify-full/);
  t.false(problemsOf({ ...BASE, DATABASE_SSL: 'verify-full', DATABASE_SSL_ROOT_CERT: '/ca.pem' }).join().includes('DATABASE_SSL_ROOT_CERT'));
});

test('a sslmode in a database URL that disagrees with DATABASE_SSL is refused: postgres.js would ignore it', (t) => {
  // The rotation runbook writes `?sslmode=verify-full` into the secret's URL (runbooks/scripts/rotate-database-credentials.sh).
  const rotated = 'postgres://auth_app_green:secret-pw@db.internal:5432/auth?sslmode=verify-full';
  const problems = problemsOf({ ...BASE, DATABASE_URL: rotated, DATABASE_SSL: 'require' });
  t.deepEqual(problems, ['DATABASE_URL: sslmode=verify-full in the URL disagrees with DATABASE_SSL=require, which decides; remove it from the URL or make the two agree']);
  t.false(problems.join().includes('secret-pw'), 'the URL is a secret');
  // Agreeing, or absent: accepted, and DATABASE_SSL is the mode in force.
  t.deepEqual(problemsOf({ ...BASE, DATABASE_URL: rotated, DATABASE_SSL: 'verify-full' }), []);
  t.deepEqual(problemsOf({ ...BASE, DATABASE_SSL: 'verify-full' }), []);
  // A downgrade is refused too, in the migration URL and through postgres.js's own `ssl` parameter.
  t.regex(problemsOf({ ...BASE, DATABASE_MIGRATION_URL: 'postgres://o:p@db/auth?sslmode=disable', DATABASE_SSL: 'verify-full' }).join(), /^DATABASE_MIGRATION_URL: sslmode=disable in the URL disagrees with DATABASE_SSL=verify-full/);
  t.regex(problemsOf({ ...BASE, DATABASE_URL: 'postgres://a:p@db/auth?ssl=prefer', DATABASE_SSL: 'disable' }).join(), /^DATABASE_URL: ssl=prefer in the URL/);
  t.regex(problemsOf({ ...BASE, DATABASE_URL: 'postgres://a:p@db/auth?sslmode=secret-looking', DATABASE_SSL: 'disable' }).join(), /^DATABASE_URL: its sslmode in the URL/);
});

test('the variable table declares every agreed variable, each described, secrets flagged', (t) => {
  // The agreed list lives in the team brief; this copy fails loudly if either side drifts.
  const agreed = `NODE_ENV PORT HOST LOG_LEVEL SERVICE_VERSION DEPLOY_ENVIRONMENT SHUTDOWN_TIMEOUT_MS DATABASE_URL DATABASE_MIGRATION_URL
    DATABASE_POOL_MAX DATABASE_SSL DATABASE_SSL_ROOT_CERT JWT_ISSUER JWT_AUDIENCE JWT_SIGNING_KEYS ACCESS_TOKEN_TTL REFRESH_IDLE_TTL REFRESH_REUSE_INTERVAL SESSION_MAX_TTL
    ARGON2_MEMORY_KIB ARGON2_ITERATIONS ARGON2_PARALLELISM ARGON2_CONCURRENCY CLICKHOUSE_URL CLICKHOUSE_USER CLICKHOUSE_PASSWORD CLICKHOUSE_DATABASE
    CLICKHOUSE_ASYNC_INSERT EVENTS_BATCH_SIZE EVENTS_FLUSH_INTERVAL_MS EVENTS_QUEUE_CAPACITY TRUSTED_PROXY_HOPS LOCKOUT_THRESHOLD
    LOCKOUT_IP_THRESHOLD LOCKOUT_WINDOW LOCKOUT_BASE_DURATION LOCKOUT_MAX_DURATION RATE_LIMIT_PER_MINUTE RATE_LIMIT_BURST
    HIBP_ENABLED HIBP_API_URL HIBP_TIMEOUT_MS HIBP_FAIL_CLOSED HIBP_MIN_BREACH_COUNT REGISTRATION_ENUMERATION_SAFE`.split(/\s+/).filter(Boolean);
  t.deepEqual(configVariables.map((variable) => variable.name).sort(), [...agreed].sort());
  for (const variable of configVariables) {
    t.true(variable.description.length > 10, variable.name);
    if (variable.required) t.is(variable.default, undefined, variable.name);
    // Every default must itself be valid.
    if (variable.default !== undefined) t.notThrows(() => loadConfig({ ...BASE, [variable.name]: variable.default! }), variable.name);
  }
  t.deepEqual(configVariables.filter((variable) => variable.secret).map((variable) => variable.name).sort(), ['CLICKHOUSE_PASSWORD', 'DATABASE_MIGRATION_URL', 'DATABASE_URL', 'JWT_SIGNING_KEYS']);
});

test('process.env is read only in src/config', (t) => {
  const main = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8');
  t.false(main.includes('process.env'));
});

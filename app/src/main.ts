// The process: read config, migrate, wire the real dependencies, listen, and shut down gracefully.
import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createKeySet, generateEphemeralKeySet } from './auth/signing-keys.ts';
import { ConfigError, loadConfig, type Config } from './config/index.ts';
import { explainStartupFailure } from './config/startup-failure.ts';
import { processEnv } from './config/process-env.ts';
import { createEventSink } from './events/create-sink.ts';
import { createEventEmitter } from './events/emitter.ts';
import { composeApp } from './composition.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createSql, pingDatabase } from './store/db.ts';
import { migrate } from './store/migrations.ts';
import { withDeadline } from './shared/deadline.ts';

const LOCKOUT_PURGE_INTERVAL_MS = 10 * 60 * 1000;

function loadConfigOrExit(): Config {
  try {
    return loadConfig(processEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      // The logger needs config; write the problems (never values) as one JSON line instead.
      process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'invalid configuration', problems: error.problems })}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** Stops accepting connections and waits for in-flight requests, closing idle keep-alive sockets. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // A keep-alive connection becomes idle when its in-flight request ends; close it then rather than
    // waiting out keepAliveTimeout, which is longer than any shutdown deadline.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweeper);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** A failure after validation (TLS, connection, migration, listen): one JSON line naming the setting, exit 1. */
function exitOnStartupFailure(config: Config, error: unknown): never {
  const { setting, problem, code } = explainStartupFailure(error, config, processEnv());
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', setting, problem, code })}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await start(config).catch((error: unknown) => exitOnStartupFailure(config, error));
}

async function start(config: Config): Promise<void> {
  const logger: Logger = createLogger({ level: config.logLevel, serviceVersion: config.serviceVersion, environment: config.environment });

  let signingKeys = config.jwt.signingKeys;
  if (!signingKeys) {
    // loadConfig refuses this in production; elsewhere tokens simply die with the process.
    logger.warn('JWT_SIGNING_KEYS is not set: using an ephemeral signing key; tokens will not survive a restart');
    signingKeys = generateEphemeralKeySet();
  }
  const keys = createKeySet(signingKeys);

  await migrate({ url: config.database.migrationUrl, ssl: config.database.ssl, sslRootCert: config.database.sslRootCert, logger });

  const sql = createSql({ url: config.database.url, poolMax: config.database.poolMax, ssl: config.database.ssl, sslRootCert: config.database.sslRootCert });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { sink, clickhouse } = createEventSink(config, logger, registry);
  // ClickHouse schema in the background: while ClickHouse is down, events queue and readiness holds.
  void clickhouse?.migrateInBackground();
  const clock = { now: () => Date.now() };
  const events = createEventEmitter({
    sink,
    clock,
    serviceVersion: config.serviceVersion,
    environment: config.environment,
    onError: (error) => logger.error({ err: error }, 'auth event dropped'),
  });
  // Issue 8: lockout in PostgreSQL, breached-password screening, per-IP rate limits (composition.ts).
  const { app, services } = composeApp({ config, sql, keys, clock, events, logger, registry, readiness: { postgres: () => pingDatabase(sql), clickhouse: clickhouse?.ping } });
  // Lockout rows that hold no state any more are deleted now and then; unref so it never delays exit.
  setInterval(() => {
    services.lockout?.purge().catch((error: unknown) => logger.warn({ err: error }, 'lockout purge failed'));
  }, LOCKOUT_PURGE_INTERVAL_MS).unref();

  const server = createServer(app.koa.callback());
  // Longer than the load balancer's idle timeout, so the balancer (not us) closes idle connections.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // EADDRINUSE: a start-up failure naming PORT, not an unhandled event
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.port }, 'listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const drained = await withDeadline(closeServer(server).then(() => 'done' as const), remaining(), 'timeout' as const);
    if (drained === 'timeout') server.closeAllConnections();
    await withDeadline(sink.close(remaining()), remaining(), 'timeout');
    await sql.end({ timeout: Math.max(1, Math.floor(remaining() / 1000)) });
    logger.info({ drained }, 'stopped');
    process.exit(drained === 'done' ? 0 : 1);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

await main();

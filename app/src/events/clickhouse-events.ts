// Everything the process needs for auth events in ClickHouse, built from config: one client, the sink,
// a readiness probe and start-up migrations that never hold up readiness. main.ts wires it; tests build
// it the same way against their own database.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/index.ts';
import { exponentialBackoff } from '../shared/backoff.ts';
import type { AuthEvent, EventSink } from './auth-event.ts';
import { createClickHouseClient } from './clickhouse-client.ts';
import { migrateClickHouse, type ClickHouseMigrationResult } from './clickhouse-migrations.ts';
import { ClickHouseSink } from './clickhouse-sink.ts';

export interface ClickHouseEventsOptions {
  logger: Logger;
  registry: Registry;
  /** Bound on the readiness ping, so /readyz answers quickly while ClickHouse hangs. */
  pingTimeoutMs?: number;
  migrationRetry?: { initialDelayMs?: number; maxDelayMs?: number };
}

/** The ClickHouse side of auth events; is the process's EventSink when ClickHouse is configured. */
export interface ClickHouseEvents extends EventSink {
  readonly sink: ClickHouseSink;
  /**
   * For /readyz: a SELECT in the configured database (it checks the credentials too). Never throws.
   * @returns true when it answers; false when ClickHouse is unreachable (readiness degrades: events queue);
   *   'database_missing' when the server answers that CLICKHOUSE_DATABASE does not exist (ClickHouse error 81,
   *   UNKNOWN_DATABASE, src/Common/ErrorCodes.cpp): a deployment error that queuing cannot fix.
   */
  ping(): Promise<boolean | 'database_missing'>;
  /** Applies migrations, retrying with backoff while ClickHouse is unreachable; close() stops it. */
  migrateInBackground(): Promise<ClickHouseMigrationResult | undefined>;
}

/**
 * Builds client and sink from config; undefined when CLICKHOUSE_URL is not set.
 * @param config - the configuration.
 * @param options - logger, registry and retry delays (ms).
 * @returns the client, sink, readiness ping and background migration, or undefined.
 */
export function createClickHouseEvents(config: Config, options: ClickHouseEventsOptions): ClickHouseEvents | undefined {
  const settings = config.clickhouse;
  if (!settings) return undefined;
  const logger = options.logger.child({ component: 'clickhouse-events' });
  const client = createClickHouseClient({
    url: settings.url,
    username: settings.user,
    password: settings.password,
    database: settings.database,
    application: `auth-service/${config.serviceVersion}`,
  });
  const sink = new ClickHouseSink({
    client,
    registry: options.registry,
    batchSize: Math.min(config.events.batchSize, config.events.queueCapacity),
    flushIntervalMs: config.events.flushIntervalMs,
    capacity: config.events.queueCapacity,
    asyncInsert: settings.asyncInsert,
    ownsClient: true,
    logger,
  });
  const stopped = new AbortController();
  const pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  const initialDelayMs = options.migrationRetry?.initialDelayMs ?? 1000;
  const maxDelayMs = options.migrationRetry?.maxDelayMs ?? 60_000;
  let migration: Promise<ClickHouseMigrationResult | undefined> | undefined;

  async function migrateUntilDone(): Promise<ClickHouseMigrationResult | undefined> {
    for (let attempt = 1; !stopped.signal.aborted; attempt += 1) {
      try {
        const result = await migrateClickHouse({ client, logger });
        logger.info({ applied: result.apply.length, waiting: result.skipped.length, serverVersion: result.serverVersion }, 'ClickHouse schema is up to date');
        return result;
      } catch (error) {
        // An edited migration will not fix itself; retrying only hides it.
        if ((error as { code?: string }).code === 'migration_changed') {
          logger.error({ err: error }, 'ClickHouse migrations refused; auth events queue until fixed');
          return undefined;
        }
        const delay = exponentialBackoff(attempt, initialDelayMs, maxDelayMs);
        logger.warn({ err: error, attempt, retryInMs: delay }, 'ClickHouse migrations failed; events queue meanwhile');
        await sleep(delay, undefined, { signal: stopped.signal }).catch(() => undefined);
      }
    }
    return undefined;
  }

  return {
    sink,
    emit: (event: AuthEvent) => sink.emit(event),
    async ping() {
      // A query in the configured database, not client.ping(): its SELECT is sent without the database
      // (@clickhouse/client connection ping, `database: undefined`), so it cannot see a missing one.
      try {
        const result = await client.query({ query: 'SELECT 1', format: 'JSONEachRow', abort_signal: AbortSignal.timeout(pingTimeoutMs) });
        await result.json();
        return true;
      } catch (error) {
        return isUnknownDatabase(error) ? 'database_missing' : false;
      }
    },
    migrateInBackground() {
      migration ??= migrateUntilDone();
      return migration;
    },
    async close(deadlineMs?: number) {
      stopped.abort();
      await sink.close(deadlineMs);
    },
  };
}

/** ClickHouse error 81 (UNKNOWN_DATABASE): parsed by the client as `code`, or only in the text on old servers. */
function isUnknownDatabase(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '81' || /\bCode: 81\b/.test(String(message ?? ''));
}

/**
 * `npm run migrate`: applies ClickHouse migrations once with its own client; undefined when not configured.
 * @param config - the configuration.
 * @param logger - where applied migrations are logged.
 * @returns the migration result, or undefined when CLICKHOUSE_URL is not set.
 * @throws ClickHouseMigrationError `migration_changed`, or the client's error.
 */
export async function migrateClickHouseFromConfig(config: Config, logger: Pick<Logger, 'info'>): Promise<ClickHouseMigrationResult | undefined> {
  const settings = config.clickhouse;
  if (!settings) return undefined;
  const client = createClickHouseClient({ url: settings.url, username: settings.user, password: settings.password, database: settings.database, application: 'auth-migrate' });
  try {
    return await migrateClickHouse({ client, logger });
  } finally {
    await client.close();
  }
}

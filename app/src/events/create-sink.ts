// Chooses where auth events go. The ClickHouse sink (issue 5) plugs in here and nowhere else.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/index.ts';
import type { EventSink } from './auth-event.ts';
import { createClickHouseEvents, type ClickHouseEvents } from './clickhouse-events.ts';
import { createLogSink } from './log-sink.ts';

export interface EventSinkChoice {
  sink: EventSink;
  /** Set when the sink is ClickHouse: main.ts uses it for readiness and start-up migrations. */
  clickhouse?: ClickHouseEvents;
}

/**
 * ClickHouse when CLICKHOUSE_URL is set; otherwise the log, with a warning that events are not stored.
 * @param config - the configuration.
 * @param logger - the logger.
 * @param registry - the Prometheus registry.
 * @returns the sink, and the ClickHouse parts when configured.
 */
export function createEventSink(config: Config, logger: Logger, registry: Registry): EventSinkChoice {
  const clickhouse = createClickHouseEvents(config, { logger, registry });
  if (clickhouse) return { sink: clickhouse, clickhouse };
  logger.warn('CLICKHOUSE_URL is not set: auth events are written to the log only, not stored in ClickHouse');
  return { sink: createLogSink(logger) };
}

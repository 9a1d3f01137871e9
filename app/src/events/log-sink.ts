// Writes each auth event as one structured log line: the sink when ClickHouse is not configured, so
// events are still visible in local development and in the platform's log store.
import type { Logger } from 'pino';
import type { EventSink } from './auth-event.ts';

/**
 * The sink used without ClickHouse: each event becomes one log line (`auth event`).
 * @param logger - the logger.
 * @returns the sink.
 */
export function createLogSink(logger: Logger): EventSink {
  const log = logger.child({ component: 'auth-events' });
  return {
    emit(event) {
      log.info({ event }, 'auth event');
    },
    async close() {},
  };
}

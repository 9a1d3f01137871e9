// Discards events: for tools and benchmarks that do not care about them.
import type { EventSink } from './auth-event.ts';

/**
 * A sink that drops every event (benchmarks).
 * @returns the sink.
 */
export function createNoopSink(): EventSink {
  return {
    emit() {},
    async close() {},
  };
}

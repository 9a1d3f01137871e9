// Keeps events in an array: for tests that assert what the core emitted.
import type { AuthEvent, EventSink } from './auth-event.ts';

export interface MemorySink extends EventSink {
  readonly events: AuthEvent[];
  closed: boolean;
}

/**
 * A sink that keeps events in memory, for tests.
 * @returns the sink, with `events`.
 */
export function createMemorySink(): MemorySink {
  const sink: MemorySink = {
    events: [],
    closed: false,
    emit(event) {
      sink.events.push(event);
    },
    async close() {
      sink.closed = true;
    },
  };
  return sink;
}

// Turns what the auth core knows (AuthEventInput) into a stored event and hands it to the sink.
// Emitting is fire-and-forget: an event problem must never fail or slow a login.
import { randomUUID } from 'node:crypto';
import type { AuthEvent, AuthEventInput, EventSink } from './auth-event.ts';

export interface AuthEventEmitter {
  emit(input: AuthEventInput): void;
}

export interface EventEmitterOptions {
  sink: EventSink;
  serviceVersion: string;
  environment: string;
  clock: { now(): number };
  /** Told when the sink throws despite its contract. */
  onError?: (error: unknown) => void;
}

/**
 * Builds the emitter the auth flows call: it stamps each event with an id (UUID), the time from the clock
 * (milliseconds), the service version and environment, and hands it to the sink without waiting.
 * @param options - the sink, clock, service version, environment and an `onError` for events the sink refused.
 * @returns the emitter; `emit` never throws into the caller.
 */
export function createEventEmitter(options: EventEmitterOptions): AuthEventEmitter {
  return {
    emit(input) {
      try {
        const event: AuthEvent = {
          ...input,
          id: randomUUID(),
          time: options.clock.now(),
          serviceVersion: options.serviceVersion,
          environment: options.environment,
        };
        options.sink.emit(event);
      } catch (error) {
        try {
          options.onError?.(error);
        } catch {
          // The error reporter failing is the last thing that could escape; swallow it too.
        }
      }
    },
  };
}

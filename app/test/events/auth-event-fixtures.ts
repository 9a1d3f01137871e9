// Builders for AuthEvent values in sink and report tests.
import { randomUUID } from 'node:crypto';
import type { AuthEvent } from '../../src/events/auth-event.ts';

let clock = Date.UTC(2026, 0, 15, 12, 0, 0, 0);

/** A complete event; each call is 7 ms after the previous one unless `time` is given. */
export function authEvent(overrides: Partial<AuthEvent> = {}): AuthEvent {
  clock += 7;
  return {
    id: randomUUID(),
    time: clock,
    type: 'login_succeeded',
    outcome: 'success',
    userId: randomUUID(),
    sessionId: randomUUID(),
    clientIp: '203.0.113.7',
    userAgent: 'test-agent/1.0',
    requestId: randomUUID(),
    serviceVersion: 'test',
    environment: 'test',
    ...overrides,
  };
}

export function authEvents(count: number, overrides: Partial<AuthEvent> = {}): AuthEvent[] {
  return Array.from({ length: count }, () => authEvent(overrides));
}

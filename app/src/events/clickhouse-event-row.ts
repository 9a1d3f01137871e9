// Maps an AuthEvent to a row of `auth_events`. Columns are copied one by one from an allow-list, so
// a field added to an event by mistake (a password, a token) can never reach ClickHouse.
import type { AuthEvent } from './auth-event.ts';

export const USER_AGENT_MAX_LENGTH = 256;
const SHORT_FIELD_MAX_LENGTH = 128;

/** One row as sent in a JSONEachRow insert. Empty string stands for "absent" (key columns cannot be Nullable on 18.16). */
export interface AuthEventRow {
  event_id: string;
  /** Whole seconds since the epoch; DateTime('UTC') parses a number as a Unix timestamp. */
  event_time: number;
  /** The millisecond part, 0..999: the full instant is event_time * 1000 + event_time_ms. */
  event_time_ms: number;
  event_type: string;
  outcome: string;
  reason: string;
  user_id: string;
  session_id: string;
  client_ip: string;
  user_agent: string;
  request_id: string;
  service_version: string;
  environment: string;
}

// Truncates by code point so a surrogate pair is never split into invalid UTF-16.
function truncate(value: string | undefined, max: number): string {
  if (!value) return '';
  if (value.length <= max) return value;
  return Array.from(value).slice(0, max).join('');
}

/**
 * The row for one event, with free-text fields bounded.
 * @param event - the auth event.
 * @returns the `auth_events` row (`event_time` in whole seconds and `event_time_ms` its millisecond part; user agent and reason truncated).
 */
export function toAuthEventRow(event: AuthEvent): AuthEventRow {
  const time = Math.max(0, Math.floor(event.time));
  return {
    event_id: event.id,
    event_time: Math.floor(time / 1000),
    event_time_ms: time % 1000,
    event_type: event.type,
    outcome: event.outcome,
    reason: truncate(event.reason, SHORT_FIELD_MAX_LENGTH),
    user_id: truncate(event.userId, SHORT_FIELD_MAX_LENGTH),
    session_id: truncate(event.sessionId, SHORT_FIELD_MAX_LENGTH),
    client_ip: truncate(event.clientIp, 64),
    user_agent: truncate(event.userAgent, USER_AGENT_MAX_LENGTH),
    request_id: truncate(event.requestId, SHORT_FIELD_MAX_LENGTH),
    service_version: truncate(event.serviceVersion, SHORT_FIELD_MAX_LENGTH),
    environment: truncate(event.environment, SHORT_FIELD_MAX_LENGTH),
  };
}

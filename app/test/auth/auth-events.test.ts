// The event seam: the emitter never throws, and every flow emits its event where it happens.
// (Sink tests for ClickHouse live in test/events/.)
import test from 'ava';
import { AUTH_EVENT_TYPES, type AuthEvent } from '../../src/events/auth-event.ts';
import { createEventEmitter } from '../../src/events/emitter.ts';
import { createMemorySink } from '../../src/events/memory-sink.ts';
import { createNoopSink } from '../../src/events/noop-sink.ts';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { PASSWORD, registerAndLogin } from '../helpers/test-app.ts';

const { app } = sharedTestApp(test, {}, { checkOpenApi: false });

test('the emitter adds id, time and service metadata', (t) => {
  const sink = createMemorySink();
  const emitter = createEventEmitter({ sink, serviceVersion: 'abc123', environment: 'dev', clock: { now: () => 1_700_000_000_000 } });
  emitter.emit({ type: 'login_succeeded', outcome: 'success', userId: 'u1' });
  const [event] = sink.events;
  t.like(event, { type: 'login_succeeded', outcome: 'success', userId: 'u1', time: 1_700_000_000_000, serviceVersion: 'abc123', environment: 'dev' });
  t.regex(event!.id, /^[0-9a-f-]{36}$/);
});

test('the emitter never throws, even when the sink and the error reporter do', (t) => {
  const errors: unknown[] = [];
  const throwing = { emit: () => { throw new Error('sink broke'); }, close: async () => {} };
  const reported = createEventEmitter({ sink: throwing, serviceVersion: 'v', environment: 'e', clock: { now: () => 0 }, onError: (error) => errors.push(error) });
  t.notThrows(() => reported.emit({ type: 'login_failed', outcome: 'failure' }));
  t.is(errors.length, 1);
  const doubleFault = createEventEmitter({ sink: throwing, serviceVersion: 'v', environment: 'e', clock: { now: () => 0 }, onError: () => { throw new Error('reporter broke'); } });
  t.notThrows(() => doubleFault.emit({ type: 'login_failed', outcome: 'failure' }));
  t.notThrows(() => createEventEmitter({ sink: createNoopSink(), serviceVersion: 'v', environment: 'e', clock: { now: () => 0 } }).emit({ type: 'user_registered', outcome: 'success' }));
});

test('a whole session lifecycle emits each event with request context and no secrets', async (t) => {
  const { userId, access_token: accessToken, refresh_token: refreshToken } = await registerAndLogin(app, 'events@example.com');
  await app.request('POST', '/v1/sessions', { json: { email: 'events@example.com', password: 'wrong password here' } });
  const rotated = await app.request<{ refresh_token: string; access_token: string }>('POST', '/v1/tokens/refresh', {
    json: { refresh_token: refreshToken },
    headers: { 'user-agent': 'events-test/1.0', 'x-request-id': 'events-request-0001' },
  });
  await app.request('POST', '/v1/me/password', { token: rotated.body.access_token, json: { current_password: PASSWORD, new_password: 'another fine passphrase' } });
  await app.request('DELETE', '/v1/sessions/current', { token: rotated.body.access_token });
  const mine = app.sink.events.filter((event) => event.userId === userId);
  t.deepEqual(mine.map((event) => `${event.type}:${event.outcome}:${event.reason ?? ''}`), [
    'user_registered:success:',
    'login_succeeded:success:',
    'login_failed:failure:bad_password',
    'token_refreshed:success:',
    'password_changed:success:',
    'session_revoked:success:logout',
  ]);
  const refreshed = mine.find((event) => event.type === 'token_refreshed') as AuthEvent;
  t.like(refreshed, { userAgent: 'events-test/1.0', requestId: 'events-request-0001' });
  t.truthy(refreshed.clientIp);
  t.truthy(refreshed.sessionId);
  const serialized = JSON.stringify(app.sink.events);
  for (const secret of [PASSWORD, accessToken, refreshToken, rotated.body.refresh_token]) t.false(serialized.includes(secret));
  for (const event of app.sink.events) t.true((AUTH_EVENT_TYPES as readonly string[]).includes(event.type));
});

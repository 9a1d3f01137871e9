// Issue 17 item 1: errors carry data (retryAfterSeconds, the RFC 6750 challenge) and http/errors.ts turns it
// into the header text that auth/ and store/ used to write themselves; these are the exact values they wrote.
import test from 'ava';
import { AppError } from '../../src/errors.ts';
import { errorBody, errorHeaders, wwwAuthenticate } from '../../src/http/errors.ts';

test('Retry-After is the retry-after in delay-seconds (RFC 9110 §10.2.3)', (t) => {
  t.deepEqual(errorHeaders(new AppError('account_locked', { retryAfterSeconds: 60 })), { 'Retry-After': '60' });
  t.deepEqual(errorHeaders(new AppError('unavailable', { retryAfterSeconds: 5 })), { 'Retry-After': '5' });
  t.deepEqual(errorHeaders(new AppError('unavailable', { retryAfterSeconds: 0 })), { 'Retry-After': '0' });
  t.deepEqual(errorHeaders(new AppError('unavailable')), {});
});

test('WWW-Authenticate: the scheme alone without a credential, with error="invalid_token" for a bad one (RFC 6750 §3, §3.1)', (t) => {
  t.is(wwwAuthenticate({ scheme: 'Bearer' }), 'Bearer');
  t.is(wwwAuthenticate({ scheme: 'Bearer', error: 'invalid_token' }), 'Bearer error="invalid_token"');
  t.deepEqual(errorHeaders(new AppError('invalid_token', { challenge: { scheme: 'Bearer', error: 'invalid_token' } })), { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  t.deepEqual(errorHeaders(new AppError('invalid_token')), {});
});

test('a 413 closes the connection: the rest of its body is never read', (t) => {
  t.deepEqual(errorHeaders(new AppError('payload_too_large')), { Connection: 'close' });
  t.deepEqual(errorHeaders(new AppError('rate_limited', { retryAfterSeconds: 3 })), { 'Retry-After': '3' });
});

test('the body shows a 4xx message and hides a 5xx one behind the code\'s generic message', (t) => {
  t.deepEqual(errorBody(new AppError('invalid_request', { message: 'email: required' })), { error: { code: 'invalid_request', message: 'email: required' } });
  t.deepEqual(errorBody(new AppError('internal_error', { message: 'secret detail' })), { error: { code: 'internal_error', message: 'Internal error.' } });
});

import test from 'ava';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { PASSWORD } from '../helpers/test-app.ts';

const { app, db } = sharedTestApp(test);

type ErrorBody = { error: { code: string; message: string } };

test('registering answers 201 with the public user and stores only a hash', async (t) => {
  const response = await app.request('POST', '/v1/users', { json: { email: 'new.user@example.com', password: PASSWORD } });
  t.is(response.status, 201);
  t.deepEqual(Object.keys(response.body).sort(), ['created_at', 'email', 'id']);
  t.is(response.body.email, 'new.user@example.com');
  const [row] = await db.sql<{ password_hash: string }[]>`select password_hash from users where id = ${response.body.id as string}`;
  t.regex(row!.password_hash, /^\$argon2id\$/);
  t.false(row!.password_hash.includes(PASSWORD));
  t.like(app.sink.events.find((event) => event.userId === response.body.id), { type: 'user_registered', outcome: 'success' });
});

test('a duplicate email, in any letter case, is 409 email_taken with no second row', async (t) => {
  t.is((await app.request('POST', '/v1/users', { json: { email: 'dup@example.com', password: PASSWORD } })).status, 201);
  for (const email of ['dup@example.com', 'DUP@Example.COM']) {
    const response = await app.request<ErrorBody>('POST', '/v1/users', { json: { email, password: PASSWORD } });
    t.is(response.status, 409);
    t.is(response.body.error.code, 'email_taken');
  }
  const [count] = await db.sql<{ n: number }[]>`select count(*)::int as n from users where lower(email) = 'dup@example.com'`;
  t.is(count!.n, 1);
});

test('concurrent registrations of one email create exactly one user', async (t) => {
  const responses = await Promise.all(
    Array.from({ length: 8 }, () => app.request('POST', '/v1/users', { json: { email: 'race@example.com', password: PASSWORD } })),
  );
  t.deepEqual(responses.map((response) => response.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
});

const badRequest = test.macro({
  async exec(t, request: { json?: unknown; body?: string; headers?: Record<string, string> }, status: number, code: string) {
    const response = await app.request<ErrorBody>('POST', '/v1/users', request);
    t.is(response.status, status, response.text);
    t.is(response.body.error.code, code);
    t.is(typeof response.body.error.message, 'string');
  },
  title: (provided = '') => `register rejects ${provided}`,
});

const json = { 'content-type': 'application/json' };
test('malformed JSON', badRequest, { body: '{"email": "a@b.co", ', headers: json }, 400, 'invalid_request');
test('a JSON array', badRequest, { json: [] }, 400, 'invalid_request');
test('JSON null', badRequest, { body: 'null', headers: json }, 400, 'invalid_request');
test('an empty body', badRequest, { body: '', headers: json }, 400, 'invalid_request');
test('no body at all', badRequest, {}, 400, 'invalid_request');
test('a missing password', badRequest, { json: { email: 'a@example.com' } }, 400, 'invalid_request');
test('a missing email', badRequest, { json: { password: PASSWORD } }, 400, 'invalid_request');
test('a numeric password', badRequest, { json: { email: 'a@example.com', password: 123456789012345 } }, 400, 'invalid_request');
test('an email that is an object', badRequest, { json: { email: { $gt: '' }, password: PASSWORD } }, 400, 'invalid_request');
test('an email without @', badRequest, { json: { email: 'not-an-email', password: PASSWORD } }, 400, 'invalid_request');
test('an email with spaces', badRequest, { json: { email: 'a b@example.com', password: PASSWORD } }, 400, 'invalid_request');
test('an email without a domain', badRequest, { json: { email: 'a@', password: PASSWORD } }, 400, 'invalid_request');
test('an overlong email', badRequest, { json: { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD } }, 400, 'invalid_request');
test('a short password', badRequest, { json: { email: 'short@example.com', password: 'elevenchars' } }, 422, 'weak_password');
test('a 129-character password', badRequest, { json: { email: 'long@example.com', password: 'x'.repeat(129) } }, 422, 'weak_password');
test('a huge password', badRequest, { json: { email: 'huge@example.com', password: 'x'.repeat(5000) } }, 400, 'invalid_request');
test('a text/plain body', badRequest, { body: 'email=a@b.co', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type');
test('a form body', badRequest, { body: 'email=a%40b.co', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type');
test('invalid UTF-8', badRequest, { body: '{"email":"\udc00"}', headers: json }, 400, 'invalid_request');
test('a body over 16 KiB', badRequest, { json: { email: 'big@example.com', password: PASSWORD, padding: 'x'.repeat(17 * 1024) } }, 413, 'payload_too_large');

test('an oversize body without Content-Length (chunked) is cut off at the limit', async (t) => {
  const chunks = [Buffer.from('{"padding":"'), Buffer.alloc(20 * 1024, 'x'), Buffer.from('"}')];
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const response = await fetch(`${app.url}/v1/users`, { method: 'POST', body, headers: json, duplex: 'half' } as RequestInit);
  t.is(response.status, 413);
  t.is(((await response.json()) as ErrorBody).error.code, 'payload_too_large');
});

test('a password within the limit in code points but not in bytes is accepted (128 emoji)', async (t) => {
  const response = await app.request('POST', '/v1/users', { json: { email: 'emoji@example.com', password: '🔑'.repeat(128) } });
  t.is(response.status, 201);
});

test('Unicode passwords are NFKC-normalised: a decomposed form logs in to a composed registration', async (t) => {
  const composed = 'Crème brûlée 12345';
  const decomposed = composed.normalize('NFD');
  t.not(composed, decomposed);
  t.is((await app.request('POST', '/v1/users', { json: { email: 'unicode@example.com', password: composed } })).status, 201);
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'unicode@example.com', password: decomposed } })).status, 200);
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'unicode@example.com', password: 'Creme brulee 12345' } })).status, 401);
});

test('prototype-pollution keys are ignored and pollute nothing', async (t) => {
  const body = `{"email":"proto@example.com","password":"${PASSWORD}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
  const response = await app.request('POST', '/v1/users', { body, headers: json });
  t.is(response.status, 201);
  t.is(({} as Record<string, unknown>).polluted, undefined);
  const nested = await app.request<ErrorBody>('POST', '/v1/users', { body: '{"__proto__":{"email":"x@example.com","password":"aaaaaaaaaaaaaa"}}', headers: json });
  t.is(nested.status, 400);
  t.is(nested.body.error.code, 'invalid_request');
});

test('error messages never echo the submitted values', async (t) => {
  const response = await app.request('POST', '/v1/users', { json: { email: 'secret-looking-value', password: 'p4ss-that-is-long' } });
  t.is(response.status, 400);
  t.false(response.text.includes('secret-looking-value'));
  t.false(response.text.includes('p4ss-that-is-long'));
});

test('an A-label domain is accepted below the TLD; an A-label TLD is 400 (as the threat model, "One canonical email", says)', async (t) => {
  const accepted = await app.request('POST', '/v1/users', { json: { email: 'idn@xn--80ak6aa92e.com', password: PASSWORD } });
  t.is(accepted.status, 201, accepted.text);
  const refused = await app.request<ErrorBody>('POST', '/v1/users', { json: { email: 'idn@xn--80ak6aa92e.xn--p1ai', password: PASSWORD } });
  t.is(refused.status, 400, refused.text);
  t.is(refused.body.error.code, 'invalid_request');
});

import { createHash } from 'node:crypto';
import test from 'ava';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createKeySet, generateEphemeralKeySet, generateSigningJwk } from '../../src/auth/signing-keys.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { decodeJwt, forgeJwt } from '../helpers/jwt-forge.ts';
import { registerAndLogin, startTestApp, type TestApp } from '../helpers/test-app.ts';

let db: TestDatabase;
let app: TestApp;
let login: Awaited<ReturnType<typeof registerAndLogin>>;
const keySet = { keys: [generateSigningJwk('previous', 'key-2029'), generateSigningJwk('current', 'key-2030'), generateSigningJwk('next', 'key-2031')] };
const signingKey = createKeySet(keySet).signing.privateKey;

test.before(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db, { keys: createKeySet(keySet), env: { JWT_ISSUER: 'https://auth.example.test', JWT_AUDIENCE: 'example-api' } });
  login = await registerAndLogin(app, 'tokens@example.com');
});

test.after.always(async () => {
  await app?.close();
  await db?.drop();
});

test.afterEach.always('every response matched its OpenAPI documentation', (t) => {
  t.deepEqual(app.undocumented, []);
});

test('the JWKS publishes next, current and previous public keys, cacheable for five minutes', async (t) => {
  const response = await app.request<{ keys: Record<string, unknown>[] }>('GET', '/.well-known/jwks.json');
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'public, max-age=300');
  t.deepEqual(response.body.keys.map((key) => key.kid), ['key-2029', 'key-2030', 'key-2031']);
  for (const key of response.body.keys) {
    t.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  }
  t.false(response.text.includes('"d"'));
  t.false(response.text.includes('status'));
});

test('the JWKS carries a strong ETag of its bytes and answers If-None-Match with 304 and no body', async (t) => {
  const first = await app.request('GET', '/.well-known/jwks.json');
  const etag = first.headers.get('etag');
  // RFC 9110 section 8.8.3: a strong validator is a quoted string; ours is the SHA-256 of the served bytes.
  t.is(etag, `"${createHash('sha256').update(first.text).digest('base64url')}"`);
  // As documented: the OpenAPI description gives the ETag header of the 200 and the 304 with its pattern.
  const spec = await app.request<{ paths: Record<string, { get: { responses: Record<string, { headers?: Record<string, { schema: { pattern?: string } }> }> } }> }>('GET', '/openapi.json');
  for (const status of ['200', '304']) {
    const pattern = spec.body.paths['/.well-known/jwks.json']!.get.responses[status]!.headers?.ETag?.schema.pattern;
    t.truthy(pattern, `OpenAPI documents the ETag of the ${status}`);
    t.regex(etag!, new RegExp(pattern!));
  }
  t.is((await app.request('GET', '/.well-known/jwks.json')).headers.get('etag'), etag, 'the same key set gives the same ETag');

  const revalidated = await app.request('GET', '/.well-known/jwks.json', { headers: { 'if-none-match': etag! } });
  t.is(revalidated.status, 304);
  t.is(revalidated.text, '');
  t.is(revalidated.headers.get('etag'), etag);
  t.is(revalidated.headers.get('cache-control'), 'public, max-age=300');

  const listed = await app.request('GET', '/.well-known/jwks.json', { headers: { 'if-none-match': `"stale", W/${etag!}` } });
  t.is(listed.status, 304, 'an ETag anywhere in the If-None-Match list matches, by weak comparison');
  t.is((await app.request('GET', '/.well-known/jwks.json', { headers: { 'if-none-match': '*' } })).status, 304);

  const stale = await app.request<{ keys: unknown[] }>('GET', '/.well-known/jwks.json', { headers: { 'if-none-match': '"an-older-key-set"' } });
  t.is(stale.status, 200);
  t.is(stale.body.keys.length, 3);
});

test('a different key set is served with a different ETag', (t) => {
  const other = createKeySet({ keys: [generateSigningJwk('current', 'key-2030')] });
  t.not(other.jwksDocument.etag, createKeySet(keySet).jwksDocument.etag);
  t.is(createKeySet(keySet).jwksDocument.etag, createKeySet(keySet).jwksDocument.etag, 'the tag depends only on the public keys');
});

test('jose verifies an access token against the served JWKS (independent check)', async (t) => {
  const jwks = await app.request<{ keys: [] }>('GET', '/.well-known/jwks.json');
  const { payload, protectedHeader } = await jwtVerify(login.access_token, createLocalJWKSet(jwks.body), {
    issuer: 'https://auth.example.test',
    audience: 'example-api',
    algorithms: ['ES256'],
    typ: 'at+jwt',
    currentDate: new Date(app.clock.now()),
  });
  t.is(protectedHeader.kid, 'key-2030');
  t.is(payload.sub, login.userId);
  t.is(typeof payload.sid, 'string');
  t.is(typeof payload.jti, 'string');
  t.is(payload.exp! - payload.iat!, 900);
});


const attack = test.macro({
  async exec(t, forge: (token: string) => string) {
    const response = await app.request<{ error: { code: string } }>('GET', '/v1/me', { token: forge(login.access_token) });
    t.is(response.status, 401);
    t.is(response.body.error.code, 'invalid_token');
  },
  title: (provided = '') => `/v1/me rejects ${provided}`,
});

const parts = (token: string) => decodeJwt(token);
test('a tampered payload', attack, (token) => {
  const [h, , s] = token.split('.');
  return `${h}.${Buffer.from(JSON.stringify({ ...parts(token).payload, sub: '00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${s}`;
});
test('an unsigned token (alg none)', attack, (token) => forgeJwt({ ...parts(token).header, alg: 'none' }, parts(token).payload));
test('a wrong kid', attack, (token) => forgeJwt({ ...parts(token).header, kid: 'key-1999' }, parts(token).payload, signingKey));
test('a token signed by a stranger key under our kid', attack, (token) =>
  forgeJwt(parts(token).header, parts(token).payload, createKeySet(generateEphemeralKeySet()).signing.privateKey));
test('an expired token', attack, (token) => forgeJwt(parts(token).header, { ...parts(token).payload, exp: Math.floor(app.clock.now() / 1000) - 1 }, signingKey));
test('a token for another audience', attack, (token) => forgeJwt(parts(token).header, { ...parts(token).payload, aud: 'other' }, signingKey));
test('a token of the wrong type', attack, (token) => forgeJwt({ ...parts(token).header, typ: 'JWT' }, parts(token).payload, signingKey));

test('a correctly re-signed token still verifies (the forgery helper is sound)', async (t) => {
  const token = forgeJwt(parts(login.access_token).header, parts(login.access_token).payload, signingKey);
  t.is((await app.request('GET', '/v1/me', { token })).status, 200);
});

test('an access token expires with the clock', async (t) => {
  const own = await startTestApp(db, { keys: createKeySet(keySet), env: { JWT_ISSUER: 'https://auth.example.test', JWT_AUDIENCE: 'example-api', ACCESS_TOKEN_TTL: '60' } });
  t.teardown(() => own.close());
  const { access_token: token } = await registerAndLogin(own, 'expiring@example.com');
  own.clock.advance(59_000);
  t.is((await own.request('GET', '/v1/me', { token })).status, 200);
  own.clock.advance(1_000);
  t.is((await own.request('GET', '/v1/me', { token })).status, 401);
  t.deepEqual(own.undocumented, []);
});

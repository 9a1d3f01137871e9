import { createPublicKey } from 'node:crypto';
import test from 'ava';
import { signAccessToken, verifyAccessToken, type AccessTokenOptions } from '../../src/auth/access-tokens.ts';
import { createKeySet, generateEphemeralKeySet, generateSigningJwk } from '../../src/auth/signing-keys.ts';
import { AppError } from '../../src/errors.ts';
import { decodeJwt, forgeJwt } from '../helpers/jwt-forge.ts';

const NOW = Date.UTC(2030, 0, 1);
const [previousJwk, currentJwk, nextJwk] = [generateSigningJwk('previous', 'old'), generateSigningJwk('current', 'cur'), generateSigningJwk('next', 'new')];
const keys = createKeySet({ keys: [previousJwk, currentJwk, nextJwk] });
const options: AccessTokenOptions = { keys, issuer: 'https://auth.example', audience: 'api', ttlSeconds: 900 };
const subject = { userId: '3b241101-e2bb-4255-8caf-4136c566a962', sessionId: '0d5b5b4e-4b4c-4c3f-9a53-6b0b3a3f4f10' };
const good = signAccessToken(options, subject, NOW);
const { header, payload } = decodeJwt(good);
const otherKey = createKeySet(generateEphemeralKeySet()).signing.privateKey;
const currentKey = keys.signing.privateKey;

test('a signed token verifies and carries every claim', (t) => {
  t.deepEqual(header, { alg: 'ES256', typ: 'at+jwt', kid: 'cur' });
  t.like(payload, { iss: 'https://auth.example', aud: 'api', sub: subject.userId, sid: subject.sessionId, iat: NOW / 1000, exp: NOW / 1000 + 900 });
  t.regex(String(payload.jti), /^[0-9a-f-]{36}$/);
  t.like(verifyAccessToken(options, good, NOW), { sub: subject.userId, sid: subject.sessionId });
});

test('tokens signed by the previous and the next key verify (rotation overlap)', (t) => {
  // Before the promote deploy, instances with the old set sign with `old`; after it, with `new`.
  for (const signer of [{ ...previousJwk, status: 'current' as const }, { ...nextJwk, status: 'current' as const }]) {
    const token = signAccessToken({ ...options, keys: createKeySet({ keys: [signer] }) }, subject, NOW);
    t.is(verifyAccessToken(options, token, NOW).sub, subject.userId);
  }
  t.is(keys.verificationKey('other'), undefined);
  t.deepEqual(keys.jwks.keys.map((key) => key.kid), ['old', 'cur', 'new']);
  t.false(JSON.stringify(keys.jwks).includes('"d"'));
});

const rejected = test.macro({
  exec(t, token: () => string, at: number = NOW) {
    const error = t.throws(() => verifyAccessToken(options, token(), at), { instanceOf: AppError });
    t.is(error?.code, 'invalid_token');
  },
  title: (provided = '') => `rejects ${provided}`,
});

test('an expired token', rejected, () => good, NOW + 900_000);
test('a token exactly at exp', rejected, () => good, NOW + 900_000 - 0);
test('a tampered payload', rejected, () => {
  const [h, , s] = good.split('.');
  return `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${s}`;
});
test('a tampered signature', rejected, () => good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
test('an unsigned token (alg none)', rejected, () => forgeJwt({ ...header, alg: 'none' }, payload));
test('alg none with a signature copied over', rejected, () => `${forgeJwt({ ...header, alg: 'none' }, payload).slice(0, -1)}.${good.split('.')[2]}`);
test('HS256 keyed with the public key (algorithm confusion)', rejected, () =>
  forgeJwt({ ...header, alg: 'HS256' }, payload, { hmac: createPublicKey(currentKey).export({ format: 'pem', type: 'spki' }) }));
test('an unknown kid', rejected, () => forgeJwt({ ...header, kid: 'unknown' }, payload, currentKey));
test('no kid', rejected, () => forgeJwt({ alg: 'ES256', typ: 'at+jwt' }, payload, currentKey));
test('a known kid signed by another key', rejected, () => forgeJwt(header, payload, otherKey));
test('typ JWT instead of at+jwt', rejected, () => forgeJwt({ ...header, typ: 'JWT' }, payload, currentKey));
test('another issuer', rejected, () => forgeJwt(header, { ...payload, iss: 'https://evil.example' }, currentKey));
test('another audience', rejected, () => forgeJwt(header, { ...payload, aud: 'other-api' }, currentKey));
test('a missing sid', rejected, () => forgeJwt(header, { ...payload, sid: undefined }, currentKey));
test('a missing exp', rejected, () => forgeJwt(header, { ...payload, exp: undefined }, currentKey));
test('garbage', rejected, () => 'not-a-jwt');
test('an empty string', rejected, () => '');

// The token attack suite (issue 8): one table, one macro. Every forged or misused token is refused by
// GET /v1/me and by POST /v1/tokens/refresh with 401 invalid_token, and none causes a 5xx.
// Tokens are forged with `jose`, independently of the service's own jsonwebtoken code.
import { createPublicKey, randomUUID } from 'node:crypto';
import test from 'ava';
import { SignJWT, base64url, decodeJwt, exportJWK, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { registerAndLoginRaw as registerAndLogin, startSecurityApp, type SecurityApp } from '../helpers/test-app.ts';

interface Victim {
  app: SecurityApp;
  /** A genuine token pair of a live session. */
  access: string;
  refresh: string;
  claims: JWTPayload;
  kid: string;
}

interface Forged {
  /** Presented as `Authorization: Bearer` to GET /v1/me. */
  access: string;
  /** Presented as `refresh_token` to POST /v1/tokens/refresh; defaults to `access`. */
  refresh?: string;
}

type Forge = (victim: Victim) => Promise<Forged> | Forged;

const AT = 'at+jwt';
const b64json = (value: unknown) => base64url.encode(JSON.stringify(value));
const nowSeconds = (victim: Victim) => Math.floor(victim.app.clock.now / 1000);

/** Signs `claims` with the service's real signing key: only the named defect makes these tokens bad. */
function signReal(victim: Victim, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ ...victim.claims, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: AT, kid: victim.kid, ...header })
    .sign(victim.app.keys.signing.privateKey);
}

async function signForeign(victim: Victim, alg: 'ES256' | 'RS256' | 'PS256', header: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return new SignJWT({ ...victim.claims }).setProtectedHeader({ alg, typ: AT, kid: victim.kid, ...header }).sign(privateKey);
}

async function embeddedAttackerKey(victim: Victim, header: (jwk: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'attacker', alg: 'ES256', use: 'sig' };
  return new SignJWT({ ...victim.claims }).setProtectedHeader({ alg: 'ES256', typ: AT, kid: 'attacker', ...header(jwk) }).sign(privateKey);
}

const hmac = (victim: Victim, secret: Uint8Array, header: Record<string, unknown>) =>
  new SignJWT({ ...victim.claims }).setProtectedHeader({ alg: 'HS256', typ: AT, kid: victim.kid, ...header }).sign(secret);

const publicKeyPem = (victim: Victim) => exportSPKI(createPublicKey(victim.app.keys.signing.privateKey));

const attacks: Array<[string, Forge]> = [
  ['alg none, no signature', (v) => ({ access: `${b64json({ alg: 'none', typ: AT, kid: v.kid })}.${b64json(v.claims)}.` })],
  ['alg None (mixed case), no signature', (v) => ({ access: `${b64json({ alg: 'None', typ: AT, kid: v.kid })}.${b64json(v.claims)}.` })],
  ['alg none keeping the original signature', (v) => ({ access: `${b64json({ alg: 'none', typ: AT, kid: v.kid })}.${b64json(v.claims)}.${v.access.split('.')[2]}` })],
  ['HS256 with the public key (PEM) as the HMAC secret', async (v) => ({ access: await hmac(v, new TextEncoder().encode(await publicKeyPem(v)), {}) })],
  ['HS256 with the public JWK as the HMAC secret', async (v) => ({ access: await hmac(v, new TextEncoder().encode(JSON.stringify(v.app.keys.jwks.keys[0])), {}) })],
  ['RS256 with a foreign key and the real kid', async (v) => ({ access: await signForeign(v, 'RS256') })],
  ['PS256 with a foreign key and the real kid', async (v) => ({ access: await signForeign(v, 'PS256') })],
  ['ES256 with a foreign key and the real kid', async (v) => ({ access: await signForeign(v, 'ES256') })],
  ['unknown kid, real signature', async (v) => ({ access: await signReal(v, {}, { kid: 'no-such-key' }) })],
  ['missing kid, real signature', async (v) => ({ access: await signReal(v, {}, { kid: undefined }) })],
  ['kid with path traversal, HS256 over an empty key', async (v) => ({ access: await hmac(v, new Uint8Array(1), { kid: '../../../../../../dev/null' }) })],
  ['kid with SQL injection, HS256 over the injected value', async (v) => ({ access: await hmac(v, new TextEncoder().encode('secret'), { kid: "x' UNION SELECT 'secret' --" }) })],
  ['kid that is not a string', async (v) => ({ access: await signReal(v, {}, { kid: 42 }) })],
  ['jku pointing to an attacker JWKS', async (v) => ({ access: await embeddedAttackerKey(v, () => ({ jku: 'https://attacker.example/jwks.json' })) })],
  ['x5u pointing to an attacker certificate', async (v) => ({ access: await embeddedAttackerKey(v, () => ({ x5u: 'https://attacker.example/cert.pem' })) })],
  ['jwk header embedding the attacker key', async (v) => ({ access: await embeddedAttackerKey(v, (jwk) => ({ jwk })) })],
  ['jku header on a token signed with the real kid', async (v) => ({ access: await embeddedAttackerKey(v, () => ({ kid: v.kid, jku: 'https://attacker.example/jwks.json' })) })],
  ['expired', async (v) => ({ access: await signReal(v, { iat: nowSeconds(v) - 3600, exp: nowSeconds(v) - 1 }) })],
  ['nbf in the future', async (v) => ({ access: await signReal(v, { nbf: nowSeconds(v) + 600 }) })],
  ['wrong iss', async (v) => ({ access: await signReal(v, { iss: 'https://evil.example' }) })],
  ['wrong aud', async (v) => ({ access: await signReal(v, { aud: 'some-other-service' }) })],
  ['aud as an array without ours', async (v) => ({ access: await signReal(v, { aud: ['a', 'b'] }) })],
  ['wrong typ (JWT)', async (v) => ({ access: await signReal(v, {}, { typ: 'JWT' }) })],
  ['missing typ', async (v) => ({ access: await signReal(v, {}, { typ: undefined }) })],
  ['sub and sid of another session', async (v) => ({ access: await signReal(v, { sid: randomUUID() }) })],
  ['sid that is not a UUID', async (v) => ({ access: await signReal(v, { sid: "'; drop table sessions; --" }) })],
  ['refresh token presented as an access token, and the access token as a refresh token', (v) => ({ access: v.refresh, refresh: v.access })],
  ['tampered payload with the original signature', (v) => {
    const [header, , signature] = v.access.split('.');
    return { access: `${header}.${b64json({ ...v.claims, sub: randomUUID() })}.${signature}` };
  }],
  ['truncated token', (v) => ({ access: v.access.slice(0, -12), refresh: v.refresh.slice(0, -5) })],
  ['only a header and a payload', (v) => ({ access: v.access.split('.').slice(0, 2).join('.') })],
  ['signature bytes flipped', (v) => ({ access: `${v.access.slice(0, -4)}${v.access.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}` })],
  ['oversized (12 KB) token within the transport limits', (v) => ({ access: `${v.access}${'A'.repeat(12 * 1024)}` })],
  ['token of a deleted user', async (v) => {
    const other = await registerAndLogin(v.app, `deleted-${randomUUID()}@example.com`);
    await v.app.sql`delete from users where id = ${other.userId}`;
    return { access: other.access_token, refresh: other.refresh_token };
  }],
  ['token of a revoked (logged-out) session', async (v) => {
    const other = await registerAndLogin(v.app, `revoked-${randomUUID()}@example.com`);
    const logout = await v.app.request('DELETE', '/v1/sessions/current', { headers: { authorization: `Bearer ${other.access_token}` } });
    if (logout.status !== 204) throw new Error(`logout failed: ${logout.status}`);
    return { access: other.access_token, refresh: other.refresh_token };
  }],
];

// One app and one genuine session for the whole file; each attack only reads them or adds its own user.
let victimState: Victim | undefined;
const teardowns: Array<() => unknown> = [];

test.before(async () => {
  const app = await startSecurityApp({ teardown: (fn) => teardowns.push(fn) }, { env: { RATE_LIMIT_BURST: '100000' } });
  const pair = await registerAndLogin(app, 'victim@example.com');
  const kid = JSON.parse(Buffer.from(pair.access_token.split('.')[0]!, 'base64url').toString()).kid as string;
  victimState = { app, access: pair.access_token, refresh: pair.refresh_token, claims: decodeJwt(pair.access_token), kid };
});

test.after.always(async () => {
  for (const teardown of teardowns.reverse()) await teardown();
});

function victim(): Victim {
  if (!victimState) throw new Error('the victim app did not start');
  return victimState;
}

const rejected = test.macro({
  async exec(t, forge: Forge) {
    const v = victim();
    const forged = await forge(v);
    const me = await v.app.request('GET', '/v1/me', { headers: { authorization: `Bearer ${forged.access}` } });
    t.is(me.status, 401, `GET /v1/me answered ${me.status} ${me.text}`);
    t.is(me.json?.error?.code, 'invalid_token');
    const refresh = await v.app.request('POST', '/v1/tokens/refresh', { body: { refresh_token: forged.refresh ?? forged.access } });
    t.is(refresh.status, 401, `POST /v1/tokens/refresh answered ${refresh.status} ${refresh.text}`);
    t.is(refresh.json?.error?.code, 'invalid_token');
  },
  title: (name = '') => `attack rejected by /v1/me and /v1/tokens/refresh: ${name}`,
});

// Serial: every attack runs against the one app, and the genuine session is checked before and after.
test.serial('the genuine tokens work (the suite would prove nothing otherwise)', async (t) => {
  const v = victim();
  t.is((await v.app.request('GET', '/v1/me', { headers: { authorization: `Bearer ${v.access}` } })).status, 200);
});

for (const [name, forge] of attacks) test.serial(name, rejected, forge);

test.serial('a 100 KB token is refused at the transport limits before any token code runs, never with a 5xx', async (t) => {
  const v = victim();
  const huge = `${v.access}${'A'.repeat(100 * 1024)}`;
  const me = await v.app.request('GET', '/v1/me', { headers: { authorization: `Bearer ${huge}` } });
  t.is(me.status, 431, 'Node refuses request headers over 16 KiB');
  const refresh = await v.app.request('POST', '/v1/tokens/refresh', { body: { refresh_token: huge } });
  t.is(refresh.status, 413);
  t.is(refresh.json?.error?.code, 'payload_too_large');
});

test.serial('the genuine session still works after every attack', async (t) => {
  const v = victim();
  t.is((await v.app.request('GET', '/v1/me', { headers: { authorization: `Bearer ${v.access}` } })).status, 200);
  t.is((await v.app.request('POST', '/v1/tokens/refresh', { body: { refresh_token: v.refresh } })).status, 200);
});

export const ATTACK_CASES = attacks.length;

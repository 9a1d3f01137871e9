// The key set used to sign and verify access tokens, built from the configured JWK set.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { SigningJwk, SigningJwkSet, SigningKeyState } from '../config/index.ts';

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface KeySet {
  /** The key that signs new tokens. */
  signing: { kid: string; privateKey: KeyObject };
  /** Verification key for a `kid` in any published state, or undefined. */
  verificationKey(kid: string): KeyObject | undefined;
  /** The public JWKS document: next, current and previous keys, without private parts or states. */
  jwks: { keys: PublicJwk[] };
  /**
   * The JWKS serialized once, when the key set is built (the key set only changes with a new process), and
   * its strong entity tag (RFC 9110 section 8.8.3): a quoted base64url SHA-256 of the body. Serving these
   * bytes costs no JSON.stringify per request, and caches revalidate with If-None-Match for a 304.
   */
  jwksDocument: { body: Buffer; etag: string };
}

/**
 * Builds a key set from a validated JWK set (see config/jwk-set.ts).
 * @param set - a validated JWK set with one `current` key.
 * @returns the signing key (the `current` one) and the verification keys by kid.
 */
export function createKeySet(set: SigningJwkSet): KeySet {
  const current = set.keys.find((key) => key.status === 'current');
  if (!current) throw new TypeError('a signing key set needs exactly one current key');
  const publicKeys = new Map<string, KeyObject>();
  const jwks: PublicJwk[] = [];
  for (const key of set.keys) {
    const publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' });
    publicKeys.set(key.kid, publicKey);
    jwks.push({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y, kid: key.kid, alg: 'ES256', use: 'sig' });
  }
  const body = Buffer.from(JSON.stringify({ keys: jwks }));
  return {
    signing: { kid: current.kid, privateKey: createPrivateKey({ key: current, format: 'jwk' }) },
    verificationKey: (kid) => publicKeys.get(kid),
    jwks: { keys: jwks },
    jwksDocument: { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` },
  };
}

/**
 * Generates one ES256 private JWK with the given state. Used by the ops CLI and for ephemeral dev keys.
 * @param status - `current`, `next` or `previous`.
 * @param kid - the key id; a random UUID by default.
 * @returns an EC P-256 private JWK (RFC 7517/7518) with `kid`, `alg: ES256`, `use: sig` and `status`.
 */
export function generateSigningJwk(status: SigningKeyState, kid: string = randomUUID()): SigningJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y || !jwk.d) throw new Error('key export lacked EC coordinates');
  return { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid, x: jwk.x, y: jwk.y, d: jwk.d, status };
}

/**
 * A single-key set that lives as long as the process: development and tests only.
 * @returns a JWK set with one new `current` ES256 key.
 */
export function generateEphemeralKeySet(): SigningJwkSet {
  return { keys: [generateSigningJwk('current', `ephemeral-${randomUUID()}`)] };
}

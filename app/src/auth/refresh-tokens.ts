// Opaque refresh tokens: 256 random bits, base64url. Only the SHA-256 is stored, so a database leak
// does not hand out live sessions; a fast hash is enough because the input has full entropy.
import { createHash, createHmac, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new refresh token: 32 random bytes, base64url (43 characters), opaque to clients (RFC 6749 §1.5).
 * @returns the token.
 */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database stores instead of the token: its SHA-256 (a leaked table yields no usable token).
 * @param token - the refresh token.
 * @returns the 32-byte digest.
 */
export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Cheap shape check before touching the database.
 * @param token - what the client sent.
 * @returns true for 43 base64url characters.
 */
export function isRefreshTokenShape(token: string): boolean {
  return REFRESH_TOKEN.test(token);
}

/**
 * The key that derives successors (below), from the current signing key's private scalar with HKDF-SHA256
 * (RFC 5869), under an info label of its own so it is never the signing key itself. Every instance that
 * signs with the same key derives the same successors.
 * @param signingKey the current ES256 private key (auth/signing-keys.ts)
 * @returns 32 bytes
 */
export function successorKey(signingKey: KeyObject): Buffer {
  const { d } = signingKey.export({ format: 'jwk' });
  if (!d) throw new TypeError('the signing key has no private part');
  return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), Buffer.alloc(0), 'auth-platform refresh-token successor v1', 32));
}

/**
 * The successor of a refresh token: HMAC-SHA256 under `key` of the presented token, base64url (43
 * characters, the shape of a random token). Deterministic, so a benign double send of one token (two tabs,
 * a retry) within REFRESH_REUSE_INTERVAL is answered with the same successor as the first send: one chain,
 * and every token returned with a 200 works. Unpredictable without the key, like a random token.
 * @param key - the HMAC key (successorKey).
 * @param presented - the refresh token being rotated.
 * @returns the successor token, 43 base64url characters.
 */
export function successorRefreshToken(key: Buffer, presented: string): string {
  return createHmac('sha256', key).update(presented).digest('base64url');
}

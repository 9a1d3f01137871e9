// Opaque refresh tokens: 256 random bits, base64url. Only the SHA-256 is stored, so a database leak
// does not hand out live sessions; a fast hash is enough because the input has full entropy.
import { createHash, randomBytes } from 'node:crypto';

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Cheap shape check before touching the database. */
export function isRefreshTokenShape(token: string): boolean {
  return REFRESH_TOKEN.test(token);
}

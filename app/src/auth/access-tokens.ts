// ES256 access tokens (RFC 9068 profile). Verification pins the algorithm, issuer, audience and typ,
// and looks the key up by `kid` among the published keys only (RFC 8725).
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { regexes } from 'zod';
import { AppError } from '../errors.ts';
import type { KeySet } from './signing-keys.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';


export interface AccessTokenOptions {
  keys: KeySet;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

/**
 * Signs an access token for a user's session at `nowMs`.
 * @param options - signing key set, issuer, audience and lifetime (seconds).
 * @param subject - the user id (`sub`) and session id (`sid`).
 * @param nowMs - the issue time, milliseconds since the epoch.
 * @returns a JWT access token (RFC 9068: `typ: at+jwt`, ES256, `iat`/`exp` in seconds).
 */
export function signAccessToken(options: AccessTokenOptions, subject: { userId: string; sessionId: string }, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  return jwt.sign(
    { iss: options.issuer, aud: options.audience, sub: subject.userId, sid: subject.sessionId, jti: randomUUID(), iat, exp: iat + options.ttlSeconds },
    options.keys.signing.privateKey,
    { algorithm: 'ES256', keyid: options.keys.signing.kid, header: { alg: 'ES256', typ: ACCESS_TOKEN_TYPE } },
  );
}

const invalid = (cause?: unknown) => new AppError('invalid_token', { cause, challenge: { scheme: 'Bearer', error: 'invalid_token' } });

/**
 * Verifies an access token at `nowMs`.
 * @param options - verification keys, issuer, audience.
 * @param token - the compact JWT.
 * @param nowMs - the current time, milliseconds since the epoch.
 * @returns the verified claims (RFC 9068 §4 validation).
 * @throws AppError `invalid_token` (with the RFC 6750 challenge `Bearer error="invalid_token"`) for any defect.
 */
export function verifyAccessToken(options: AccessTokenOptions, token: string, nowMs: number): AccessTokenClaims {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw invalid();
  const { header } = decoded;
  if (header.alg !== 'ES256' || header.typ !== ACCESS_TOKEN_TYPE || typeof header.kid !== 'string') throw invalid();
  const key = options.keys.verificationKey(header.kid);
  if (!key) throw invalid();
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, key, {
      algorithms: ['ES256'],
      issuer: options.issuer,
      audience: options.audience,
      clockTimestamp: Math.floor(nowMs / 1000),
      clockTolerance: 0,
    });
  } catch (error) {
    throw invalid(error);
  }
  if (typeof payload === 'string') throw invalid();
  const { sub, sid, jti, iat, exp } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') {
    throw invalid();
  }
  // The ids go to PostgreSQL uuid columns: anything else would be a cast error (500), not invalid_token.
  if (!regexes.guid.test(sub) || !regexes.guid.test(sid)) throw invalid();
  return { sub, sid, jti, iat, exp };
}

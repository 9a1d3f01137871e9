// The shape of JWT_SIGNING_KEYS: a JWK set whose keys carry a rotation state.
// `next` is published but does not sign yet, `current` signs, `previous` stays published until the
// tokens it signed have expired. Publishing `next` one deploy ahead means consumers' JWKS caches
// already know a key before any token carries its `kid`.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { z } from 'zod';

export const SIGNING_KEY_STATES = ['next', 'current', 'previous'] as const;
export type SigningKeyState = (typeof SIGNING_KEY_STATES)[number];

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected base64url');

export const signingJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  alg: z.literal('ES256'),
  kid: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'kid: expected letters, digits, dot, dash or underscore'),
  x: base64url,
  y: base64url,
  d: base64url,
  use: z.literal('sig').optional(),
  status: z.enum(SIGNING_KEY_STATES),
});

export type SigningJwk = z.infer<typeof signingJwkSchema>;

export const signingJwkSetSchema = z
  .object({ keys: z.array(signingJwkSchema).min(1) })
  .superRefine((set, ctx) => {
    const current = set.keys.filter((key) => key.status === 'current').length;
    if (current !== 1) ctx.addIssue({ code: 'custom', message: `expected exactly one key with status "current", found ${current}` });
    const kids = set.keys.map((key) => key.kid);
    if (new Set(kids).size !== kids.length) ctx.addIssue({ code: 'custom', message: 'expected unique kid values' });
    for (const key of set.keys) {
      try {
        // Node accepts a `d` that does not match x/y, so prove the pair: sign with d, verify with x/y.
        const probe = Buffer.from('signing-key-probe');
        const signature = sign('sha256', probe, createPrivateKey({ key, format: 'jwk' }));
        const publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' });
        if (!verify('sha256', probe, publicKey, signature)) throw new Error('mismatch');
      } catch {
        // Never echo key material: name the kid only.
        ctx.addIssue({ code: 'custom', message: `key "${key.kid}" is not a valid P-256 private key` });
      }
    }
  });

export type SigningJwkSet = z.infer<typeof signingJwkSetSchema>;

/**
 * Parses the JSON text of a signing key set; the issues never contain key material.
 * @param text - the JSON of JWT_SIGNING_KEYS (RFC 7517 JWK set of ES256 private keys, each with a `status`).
 * @returns `{ok: true, value}` or `{ok: false, problems}` (no key material in the problems).
 */
export function parseSigningJwkSet(text: string): { ok: true; value: SigningJwkSet } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['expected a JWK set as JSON ({"keys":[...]})'] };
  }
  const result = signingJwkSetSchema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
  };
}

// Request and response schemas. The request schemas validate bodies at run time, and all of them are
// converted to JSON Schema for /openapi.json, so the documentation cannot drift from the behaviour.
import { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';

// Passwords are bounded generously here; the real policy (12..128 after NFKC) answers `weak_password`.
const password = z.string().min(1).max(1024);

export const registerRequest = z.object({
  email: z.email().max(254).describe('Email address; stored, answered and unique in its canonical form (NFKC, printable ASCII, lower case).'),
  password: password.describe('12 to 128 characters after NFKC normalisation.'),
});

export const loginRequest = z.object({
  // Control characters cannot be in a registered email, and PostgreSQL text cannot hold NUL at all:
  // without this a NUL in the email was a 500 from the user lookup (found by test/security/fuzz.test.ts).
  email: z.string().min(1).max(254).regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
    .describe('Any spelling of the address; compared in its canonical form. One with no canonical form (outside printable ASCII after NFKC) is 400 `invalid_request`.'),
  password,
});

export const refreshRequest = z.object({
  // Any string that is not one of our tokens is `invalid_token`, not `invalid_request`: the service's
  // shape check answers it, so a forged JWT gets the same code here as on /v1/me (issue 8 attack suite).
  // The JSON body limit (16 KiB) bounds the length.
  refresh_token: z.string().min(1),
});

export const changePasswordRequest = z.object({
  current_password: password,
  new_password: password.describe('12 to 128 characters after NFKC normalisation.'),
});

export const userResponse = z.object({
  id: z.uuid(),
  email: z.string(),
  created_at: z.iso.datetime(),
});

export const tokenPairResponse = z.object({
  access_token: z.string().describe('ES256 JWT (typ at+jwt).'),
  token_type: z.literal('Bearer'),
  expires_in: z.int().positive().describe('Access token lifetime in seconds.'),
  refresh_token: z.string().describe('Opaque, single-use; each refresh returns a new one.'),
});

export const errorResponse = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES as [string, ...string[]]),
    message: z.string(),
  }),
});

export const healthResponse = z.object({ status: z.literal('ok') });

export const readinessResponse = z.object({
  status: z.literal('ok'),
  checks: z.object({
    postgres: z.literal('ok'),
    clickhouse: z.enum(['ok', 'degraded', 'disabled']),
  }),
});

export const jwksResponse = z.object({
  keys: z.array(
    z.object({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string(),
      y: z.string(),
      kid: z.string(),
      alg: z.literal('ES256'),
      use: z.literal('sig'),
    }),
  ),
});

export const openApiResponse = z.object({ openapi: z.string(), info: z.object({}).loose(), paths: z.object({}).loose() }).loose();

/**
 * A human-readable summary of validation issues: field paths and expectations, never the values.
 * @param error - the zod validation error.
 * @returns one sentence listing each field path and what it expects.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

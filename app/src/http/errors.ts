// AppError (../errors.ts) rendered as HTTP: the JSON body and the headers its data calls for.
import { ERRORS, type AppError, type AuthChallenge, type ErrorCode } from '../errors.ts';

/**
 * The JSON body of an error response; 5xx messages are replaced by the code's generic message.
 * @param error - the error to answer with.
 * @returns `{error:{code,message}}`.
 */
export function errorBody(error: AppError): { error: { code: ErrorCode; message: string } } {
  return { error: { code: error.code, message: error.expose ? error.message : ERRORS[error.code].message } };
}

/**
 * The WWW-Authenticate value of a challenge (RFC 6750 §3: `Bearer` then auth-params as quoted strings).
 * @param challenge - scheme and optional error code.
 * @returns e.g. `Bearer` or `Bearer error="invalid_token"`.
 */
export function wwwAuthenticate(challenge: AuthChallenge): string {
  return challenge.error === undefined ? challenge.scheme : `${challenge.scheme} error="${challenge.error}"`;
}

/**
 * The response headers an error's data calls for: Retry-After in delay-seconds (RFC 9110 §10.2.3),
 * WWW-Authenticate (RFC 6750 §3), and Connection: close for 413, whose rest of body is never read
 * (RFC 9110 §15.5.14), so that it cannot poison the keep-alive connection.
 * @param error - the error to answer with.
 * @returns header names and values, empty when the error calls for none.
 */
export function errorHeaders(error: AppError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.code === 'payload_too_large') headers.Connection = 'close';
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  if (error.challenge) headers['WWW-Authenticate'] = wwwAuthenticate(error.challenge);
  return headers;
}

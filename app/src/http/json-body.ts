// Reads a JSON request body with a hard size limit, rejecting other media types. Keys that could
// pollute prototypes are dropped while parsing, so no later code ever sees them.
import type { AppContext } from './context.ts';
import { AppError } from '../errors.ts';

export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses JSON, dropping `__proto__`, `constructor` and `prototype` keys.
 * @param text - the body text.
 * @returns the parsed value.
 * @throws AppError `invalid_request` when the text is not JSON.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : value));
  } catch {
    throw new AppError('invalid_request', { message: 'The request body is not valid JSON.' });
  }
}

/**
 * Reads and parses the JSON body of a request, refusing other media types and bodies over `limit`.
 * @param ctx - the request context.
 * @param limit - the largest body accepted, in bytes (16 KiB by default).
 * @returns the parsed body.
 * @throws AppError `invalid_request` (no body, or not JSON), `unsupported_media_type` or `payload_too_large`.
 */
export async function readJsonBody(ctx: AppContext, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  const type = ctx.is('application/json');
  // An empty body (Content-Length: 0 or none at all) is a missing body, whatever its declared type.
  if (type === null || ctx.request.length === 0) throw new AppError('invalid_request', { message: 'A JSON request body is required.' });
  if (type === false) throw new AppError('unsupported_media_type');
  // The rest of an oversize body is not read; the error handler closes the connection (http/errors.ts).
  const tooLarge = () => new AppError('payload_too_large');
  const declared = Number(ctx.get('Content-Length') || '0');
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Stop reading at once: a chunked body may not declare its length.
    if (size > limit) throw tooLarge();
    chunks.push(buffer);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('invalid_request', { message: 'The request body is not valid UTF-8.' });
  }
  return parseJson(text);
}

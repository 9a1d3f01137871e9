// Builds JWTs by hand, so attack tests control every byte (header, payload, signature).
import { createHmac, sign, type KeyObject } from 'node:crypto';

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function forgeJwt(header: object, payload: object, key?: KeyObject | { hmac: string | Buffer }): string {
  const input = `${encode(header)}.${encode(payload)}`;
  if (!key) return `${input}.`;
  const signature = 'hmac' in key
    ? createHmac('sha256', key.hmac).update(input).digest()
    : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString()), payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) };
}

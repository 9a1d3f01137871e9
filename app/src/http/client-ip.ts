// The client IP as seen through a known number of trusted reverse proxies.
//
// Every proxy appends the address it received the request from to X-Forwarded-For, so only the
// entries added by our own proxies can be trusted: the entry `trustedProxyHops` positions from the
// right is the address our outermost proxy saw. Anything to its left was written by the client and
// is spoofable, which is why the leftmost value is never used unless our proxies put it there.
// App Runner's front end adds one hop, so production runs with TRUSTED_PROXY_HOPS=1.
// The Koa middleware that applies this lives in middleware/client-ip.ts.
import { isIP } from 'node:net';

const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * Canonical form used as a bucket and lockout key: IPv4-mapped IPv6 becomes plain IPv4, IPv6 lower case.
 * @param address - an IPv4 or IPv6 address as written in a header or by the socket.
 * @returns the canonical address, or undefined when it is not an IP.
 */
export function normalizeIp(address: string): string | undefined {
  const trimmed = address.trim();
  if (isIP(trimmed) === 0) return undefined;
  const lower = trimmed.toLowerCase();
  if (lower.startsWith(IPV4_MAPPED_PREFIX)) {
    const v4 = lower.slice(IPV4_MAPPED_PREFIX.length);
    if (isIP(v4) === 4) return v4;
  }
  return lower;
}

/**
 * Picks the client IP from X-Forwarded-For (one header or several, joined with commas) and the socket
 * address. With `trustedProxyHops` = 0 the header is ignored. When the header is missing, shorter than the
 * number of hops, or holds something that is not an IP at the trusted position, the socket address is used.
 * @param forwardedFor - the X-Forwarded-For header value(s).
 * @param socketAddress - the TCP peer address.
 * @param trustedProxyHops - TRUSTED_PROXY_HOPS: how many proxies in front of the service append to the header.
 * @returns the client IP, normalised; `unknown` when neither source gives one.
 * @throws TypeError when `trustedProxyHops` is not a non-negative integer.
 */
export function resolveClientIp(
  forwardedFor: string | string[] | undefined,
  socketAddress: string | undefined,
  trustedProxyHops: number,
): string {
  if (!Number.isInteger(trustedProxyHops) || trustedProxyHops < 0) {
    throw new TypeError('trustedProxyHops must be a non-negative integer');
  }
  const fallback = (socketAddress && normalizeIp(socketAddress)) || 'unknown';
  if (trustedProxyHops === 0 || forwardedFor === undefined) return fallback;
  const joined = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const entries = joined.split(',').map((entry) => entry.trim());
  const index = entries.length - trustedProxyHops;
  if (index < 0) return fallback;
  const candidate = entries[index];
  return (candidate !== undefined && normalizeIp(candidate)) || fallback;
}

// Headers for a JSON API that no browser should render, frame or cache by default.
import type { Middleware } from 'koa';

const HEADERS: Record<string, string> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Responses carry tokens and personal data; routes that are safe to cache (JWKS) override this.
  'Cache-Control': 'no-store',
};

/**
 * Sets the OWASP secure headers (HSTS, nosniff, no-referrer, a deny-all CSP, frame denial) on every response.
 * @returns the middleware.
 */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set(HEADERS);
    await next();
  };
}

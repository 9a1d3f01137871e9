// A start-up failure after the configuration was validated (TLS, connection, migration, listen), explained
// as the setting a user can change. main.ts prints the result as one JSON line instead of a stack trace.
import { SettingError } from './setting-error.ts';
import type { Config } from './config.ts';

export interface StartupFailure {
  /** The configuration variable involved, e.g. `DATABASE_SSL`; undefined when no setting explains it. */
  setting: string | undefined;
  /** One sentence: what went wrong and what to change. Never a value of a secret variable. */
  problem: string;
  /** The error code from node or PostgreSQL (SQLSTATE), when there is one. */
  code: string | undefined;
}

// OpenSSL's certificate verification results as node reports them (error.code), see node's tls docs
// ("X509 certificate error codes"). These mean: the chain does not lead to a trusted CA.
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REJECTED', 'INVALID_CA',
]);
// Connection-level failures: the host, port, user, password or database in the URL is wrong or down.
const CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'CONNECT_TIMEOUT']);
// SQLSTATEs of a refused login or a missing database (PostgreSQL appendix A, class 28 and 3D000).
const LOGIN = new Set(['28P01', '28000', '3D000']);

const firstLine = (text: string) => text.split('\n', 1)[0]!.slice(0, 300);

/**
 * Explains an error thrown while the service starts (after loadConfig succeeded).
 * @param error what main() threw
 * @param config the validated configuration (for the TLS mode in force)
 * @param env the process environment, to name DATABASE_MIGRATION_URL only when it is the URL in use
 * @returns the setting involved and a one-sentence problem, never a stack trace nor a secret value
 */
export function explainStartupFailure(error: unknown, config: Config, env: Readonly<Record<string, string | undefined>>): StartupFailure {
  const err = (error ?? {}) as { code?: unknown; message?: unknown; syscall?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = firstLine(typeof err.message === 'string' ? err.message : String(error));
  // Migrations run first and with DATABASE_MIGRATION_URL when it is set, so a start-up connection
  // problem is almost always in that URL.
  const urlSetting = env.DATABASE_MIGRATION_URL ? 'DATABASE_MIGRATION_URL' : 'DATABASE_URL';
  const ssl = config.database.ssl;

  if (error instanceof SettingError) return { setting: error.setting, problem: message, code };
  if (code === 'EADDRINUSE' || (code === 'EACCES' && err.syscall === 'listen')) {
    return { setting: 'PORT', problem: `cannot listen on port ${config.port} (${code}): choose a free port`, code };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { setting: urlSetting, problem: `the PostgreSQL server certificate does not name the host in ${urlSetting} (DATABASE_SSL=verify-full): connect with the host name the certificate was issued for`, code };
  }
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    // Unset or wrong, the bundle is what to change: without it only node's public roots are trusted.
    return { setting: 'DATABASE_SSL_ROOT_CERT', problem: `the PostgreSQL server certificate is not trusted (${code}): set DATABASE_SSL_ROOT_CERT to the CA bundle that issued it`, code };
  }
  if (ssl !== 'disable' && (/TLS|SSL/.test(message) || code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_'))) {
    return { setting: 'DATABASE_SSL', problem: `no TLS session with PostgreSQL (DATABASE_SSL=${ssl}): the server may not offer TLS; enable it there, or set DATABASE_SSL=disable for a local server without TLS (${message})`, code };
  }
  // A server that admits only TLS connections (pg_hba.conf hostssl, RDS's rds.force_ssl) refuses a plain one
  // with 28000 "no pg_hba.conf entry for host …", ending "no encryption" (PostgreSQL 16+) or "SSL off" (15).
  if (ssl === 'disable' && code === '28000' && /no encryption|SSL off/.test(message)) {
    return { setting: 'DATABASE_SSL', problem: `PostgreSQL admits no unencrypted connection here (DATABASE_SSL=disable): set DATABASE_SSL=verify-full (or check the user and database in ${urlSetting}) (${message})`, code };
  }
  if (code && (CONNECTION.has(code) || LOGIN.has(code))) {
    return { setting: urlSetting, problem: `cannot connect to PostgreSQL with ${urlSetting}: ${message}`, code };
  }
  return { setting: undefined, problem: message, code };
}

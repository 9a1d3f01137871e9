// The one postgres.js instance of the process, and the narrow types the stores accept.
import { readFileSync } from 'node:fs';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import postgres from 'postgres';
import { SettingError } from '../config/setting-error.ts';
import { exponentialBackoff } from '../shared/backoff.ts';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Either the pool or a transaction: store functions work inside and outside `sql.begin`. */
export type Queryable = Sql | TransactionSql;

export type DatabaseSslMode = 'disable' | 'require' | 'verify-full';

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  ssl?: DatabaseSslMode;
  /** Path of a PEM CA bundle for `verify-full` (DATABASE_SSL_ROOT_CERT); unset: node's built-in roots. */
  sslRootCert?: string | undefined;
  applicationName?: string;
}

export interface VerifyFullOptions {
  ca?: string;
  rejectUnauthorized: true;
  checkServerIdentity: (servername: string, certificate: PeerCertificate) => Error | undefined;
}

/**
 * The postgres.js `ssl` option for a DATABASE_SSL mode, named after libpq's sslmode values: `disable` no TLS,
 * `require` encrypted without checking the certificate, `verify-full` encrypted with the certificate chain
 * checked against `rootCertPath` (else node's built-in roots) and the URL's host checked against the
 * certificate's names by node's tls.checkServerIdentity (RFC 6125). For a host name that matches libpq:
 * dNSName SANs, the CN only without one. For an IP literal it is stricter than libpq (PostgreSQL 14+,
 * "Client Verification of Server Certificates"): node accepts only an iPAddress SAN equal to the address,
 * where libpq also accepts a dNSName SAN spelling it, or the CN when there is no iPAddress SAN. So a
 * certificate libpq accepts for an IP literal may be refused here, never the reverse.
 * The host is checked here because postgres.js 3.4 passes no host to tls.connect for an IP literal, and node
 * then checks the certificate against "localhost".
 * The result overrides any `sslmode` in `url` (postgres.js prefers its `ssl` option); loadConfig refuses
 * a URL whose sslmode disagrees with DATABASE_SSL.
 * @param mode - DATABASE_SSL: `disable`, `require` or `verify-full` (undefined is `disable`).
 * @param rootCertPath - DATABASE_SSL_ROOT_CERT, a PEM CA bundle path, for `verify-full`.
 * @param url - the connection URL (one host), whose host name the certificate must name.
 * @returns the postgres.js `ssl` option.
 * @throws SettingError (setting DATABASE_SSL_ROOT_CERT) when the bundle cannot be read or holds no certificate.
 */
export function postgresSsl(mode: DatabaseSslMode | undefined, rootCertPath: string | undefined, url: string): false | 'require' | VerifyFullOptions {
  if (mode === undefined || mode === 'disable') return false;
  if (mode === 'require') return 'require';
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const verify: VerifyFullOptions = { rejectUnauthorized: true, checkServerIdentity: (_servername, certificate) => checkServerIdentity(host, certificate) };
  if (rootCertPath === undefined) return verify;
  let ca: string;
  try {
    ca = readFileSync(rootCertPath, 'utf8');
  } catch (error) {
    throw new SettingError('DATABASE_SSL_ROOT_CERT', `cannot read the CA bundle ${rootCertPath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new SettingError('DATABASE_SSL_ROOT_CERT', `${rootCertPath} holds no PEM certificate`);
  return { ...verify, ca };
}

/**
 * Creates a connection pool. Call `sql.end({ timeout })` once at shutdown.
 * @param options - URL, pool size (DATABASE_POOL_MAX), TLS mode and CA bundle, application name.
 * @returns the postgres.js pool (idle timeout 60 s, connect timeout 5 s, reconnect backoff 50 ms doubling to 1 s).
 * @throws SettingError (setting DATABASE_SSL_ROOT_CERT) when the CA bundle cannot be read or holds no certificate.
 */
export function createSql(options: DatabaseOptions): Sql {
  return postgres(options.url, {
    max: options.poolMax ?? 10,
    ssl: postgresSsl(options.ssl, options.sslRootCert, options.url),
    // Notices (e.g. "relation already exists, skipping") are not errors; keep them out of the logs.
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'auth' },
    // Idle connections are closed so a scaled-down service does not pin database slots.
    idle_timeout: 60,
    // PostgreSQL down must give a prompt 503, never a hang (issue 14 item 6). postgres.js 3.4 queues a
    // query until a connection is up, and waits before reconnecting a closed connection for `backoff`
    // seconds, by default (0.5 + random/2) * min(3^retries / 100, 20): after a few refused connects,
    // queued requests waited up to 77 s for their 503. Bounded here to 50 ms doubling up to 1 s, so a
    // request during an outage gets its 503 within a few seconds, and the pool still reconnects by itself.
    backoff: (retries: number) => exponentialBackoff(retries + 1, 0.05, 1),
    // A host that drops packets (not refusing) fails the connect after 5 s, not postgres.js's 30 s.
    connect_timeout: 5,
  });
}

/**
 * True when PostgreSQL answers a trivial query; used by /readyz.
 * @param sql - the pool.
 * @returns true when `select 1` answers, false on any error (never throws).
 */
export async function pingDatabase(sql: Sql): Promise<boolean> {
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  }
}

/** The PostgreSQL unique-violation code. */
export const UNIQUE_VIOLATION = '23505';

/**
 * The constraint (or unique index) that a unique violation hit, if that is what the error is.
 * @param error - what an insert or update threw.
 * @returns the constraint name of a unique violation (SQLSTATE 23505), else undefined.
 */
export function uniqueViolationConstraint(error: unknown): string | undefined {
  if (error instanceof postgres.PostgresError && error.code === UNIQUE_VIOLATION) return error.constraint_name;
  return undefined;
}

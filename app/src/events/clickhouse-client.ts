// The one ClickHouse client of the process. Settings are chosen to work on both the 18.16 floor and
// ClickHouse Cloud: the client adds no server settings unless asked (so nothing 18.16 rejects as an
// "Unknown setting"), gzip request bodies and `database=` on the URL are understood by both.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseClientOptions {
  url: string;
  username?: string;
  password?: string;
  /** Unqualified table names in inserts, queries and migrations resolve here. */
  database: string;
  /** Upper bound for one request; the sink retries on timeout. */
  requestTimeoutMs?: number;
  application?: string;
  /** Reuse connections (default). Tests that fake responses with nock turn it off: a faked socket must not be pooled. */
  keepAlive?: boolean;
}

/**
 * Creates the client. Callers own it: `ping()` for readiness, `close()` once at shutdown.
 * @param options - URL, user, password, database and request timeout (ms).
 * @returns the @clickhouse/client client.
 */
export function createClickHouseClient(options: ClickHouseClientOptions): ClickHouseClient {
  return createClient({
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    database: options.database,
    application: options.application ?? 'auth-service',
    request_timeout: options.requestTimeoutMs ?? 10_000,
    // Batches of JSON compress well; responses are tiny, so they stay plain.
    compression: { request: true, response: false },
    max_open_connections: 4,
    keep_alive: { enabled: options.keepAlive ?? true },
    // The client would print its own errors to the console on every failed insert; the sink logs
    // failures (rate-limited) through the service's structured logger instead.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

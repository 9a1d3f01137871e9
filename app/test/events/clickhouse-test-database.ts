// One throwaway ClickHouse database per test, on the server named by TEST_CLICKHOUSE_URL (admin user
// `default`), dropped at teardown. Tests get a client bound to it, as the service would have.
import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, type ClickHouseClientOptions } from '../../src/events/clickhouse-client.ts';
import { migrateClickHouse } from '../../src/events/clickhouse-migrations.ts';

export function clickHouseTestUrl(): string {
  const url = process.env.TEST_CLICKHOUSE_URL;
  if (!url) throw new Error('TEST_CLICKHOUSE_URL is not set; run `npm test` or `node scripts/services.mjs start`');
  return url;
}

export interface ClickHouseTestDatabase {
  url: string;
  database: string;
  /** Bound to the test database, created like the service's. */
  client: ClickHouseClient;
  /** Another client for the same database, for a URL that differs (a proxy, a dead port). */
  clientFor(url: string, options?: Partial<ClickHouseClientOptions>): ClickHouseClient;
  rows<T>(query: string): Promise<T[]>;
}

/** Creates a database (migrated unless `migrate: false`) that lives as long as the test. */
export async function createClickHouseTestDatabase(t: ExecutionContext, { migrate = true } = {}): Promise<ClickHouseTestDatabase> {
  const url = clickHouseTestUrl();
  const database = `test_${randomBytes(6).toString('hex')}`;
  const admin = createClient({ url, username: 'default', password: '' });
  await admin.command({ query: `CREATE DATABASE ${database}` });
  const clients: ClickHouseClient[] = [];
  const clientFor = (target: string, options: Partial<ClickHouseClientOptions> = {}) => {
    const client = createClickHouseClient({ url: target, username: 'default', password: '', database, ...options });
    clients.push(client);
    return client;
  };
  const client = clientFor(url);
  t.teardown(async () => {
    await Promise.all(clients.map((each) => each.close()));
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin.close();
  });
  if (migrate) await migrateClickHouse({ client });
  const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  return { url, database, client, clientFor, rows };
}

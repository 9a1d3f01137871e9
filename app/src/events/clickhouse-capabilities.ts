// What the connected ClickHouse server can do. The floor is the Debian 18.16 server; ClickHouse Cloud
// runs a current release. Features newer than the floor are used only when the server reports a
// version that has them, so one code path and one set of migrations serves both.
import type { ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseVersion {
  major: number;
  minor: number;
  /** As reported by `SELECT version()`, e.g. `18.16.1` or `25.6.2.6054`. */
  raw: string;
}

export interface ClickHouseCapabilities {
  version: ClickHouseVersion;
  /** Table TTL (`ALTER TABLE ... MODIFY TTL`), added in 19.6. */
  ttl: boolean;
  /** Server-side batching of small inserts (`async_insert`), added in 21.11. */
  asyncInsert: boolean;
}

export type ClickHouseCapability = Exclude<keyof ClickHouseCapabilities, 'version'>;

export const CLICKHOUSE_CAPABILITY_NAMES: readonly ClickHouseCapability[] = ['ttl', 'asyncInsert'];

// First release with each feature, as [major, minor].
const INTRODUCED_IN: Record<ClickHouseCapability, readonly [number, number]> = {
  ttl: [19, 6],
  asyncInsert: [21, 11],
};

/**
 * Parses `SELECT version()` output. Throws a TypeError for anything that is not `major.minor[...]`.
 * @param raw - e.g. `18.16.1` or `24.8.4.13`.
 * @returns major, minor and the raw text.
 */
export function parseClickHouseVersion(raw: string): ClickHouseVersion {
  const match = /^\s*(\d+)\.(\d+)(?:\.\d+)*/.exec(raw);
  if (!match) throw new TypeError(`unrecognised ClickHouse version: ${JSON.stringify(raw)}`);
  return { major: Number(match[1]), minor: Number(match[2]), raw: raw.trim() };
}

function atLeast(version: ClickHouseVersion, [major, minor]: readonly [number, number]): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * The feature set of a server version; pure, so it can be tested with version strings.
 * @param raw - the server version.
 * @returns whether it has TTL and async_insert.
 * @throws TypeError when the version is not `major.minor[...]`.
 */
export function capabilitiesFor(raw: string): ClickHouseCapabilities {
  const version = parseClickHouseVersion(raw);
  return {
    version,
    ttl: atLeast(version, INTRODUCED_IN.ttl),
    asyncInsert: atLeast(version, INTRODUCED_IN.asyncInsert),
  };
}

/**
 * Asks the server for its version and derives its capabilities.
 * @param client - the client.
 * @returns the server's capabilities.
 * @throws the client's error when ClickHouse does not answer.
 */
export async function detectClickHouseCapabilities(client: ClickHouseClient): Promise<ClickHouseCapabilities> {
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const rows = await result.json<{ version: string }>();
  const version = rows[0]?.version;
  if (version === undefined) throw new Error('ClickHouse returned no version');
  return capabilitiesFor(version);
}

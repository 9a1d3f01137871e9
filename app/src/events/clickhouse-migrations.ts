// Forward-only SQL migrations for ClickHouse, recorded in `schema_migrations` of the configured
// database. ClickHouse has neither transactional DDL nor locks, so every migration must be
// idempotent (CREATE ... IF NOT EXISTS, MODIFY TTL): two instances starting together may both apply
// it, and the duplicate record is harmless because reads group by version.
//
// A migration may start with `-- requires: ttl` (or async_insert): it is applied only when the server
// has that capability, otherwise it stays pending and is retried at the next start, so upgrading the
// server later picks it up. Applied migrations are checksummed; editing one is an error.
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { migrationChecksum, parseMigrationFileName, pendingMigrations, readMigrationFiles } from '../shared/migration-files.ts';
import { detectClickHouseCapabilities, type ClickHouseCapabilities, type ClickHouseCapability } from './clickhouse-capabilities.ts';

export const CLICKHOUSE_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/clickhouse/', import.meta.url));

const REQUIREMENTS: Record<string, ClickHouseCapability> = { ttl: 'ttl', async_insert: 'asyncInsert' };

export interface ClickHouseMigration {
  version: string;
  name: string;
  checksum: string;
  statements: string[];
  requires: ClickHouseCapability[];
}

export interface ClickHouseMigrationPlan {
  apply: ClickHouseMigration[];
  skipped: { version: string; name: string; missing: ClickHouseCapability[] }[];
}

export interface ClickHouseMigrationResult extends ClickHouseMigrationPlan {
  serverVersion: string;
}

export class ClickHouseMigrationError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ClickHouseMigrationError';
    this.code = code;
  }
}

function isCommentOnly(chunk: string): boolean {
  return chunk.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
}

/**
 * Parses one migration file's text; exported for tests.
 * @param fileName - `NNNN_name.sql`.
 * @param text - the file's SQL, with optional `-- requires:` headers.
 * @returns version, name, checksum, statements and requirements.
 * @throws TypeError for a bad file name, an unknown requirement or a file without a statement.
 */
export function parseClickHouseMigration(fileName: string, text: string): ClickHouseMigration {
  const { version, name } = parseMigrationFileName(fileName);
  const requires: ClickHouseCapability[] = [];
  for (const line of text.split('\n')) {
    const header = /^--\s*requires:\s*(.+)$/.exec(line.trim());
    if (!header?.[1]) continue;
    for (const name of header[1].split(',').map((part) => part.trim())) {
      const capability = REQUIREMENTS[name];
      if (!capability) throw new TypeError(`${fileName}: unknown requirement "${name}"`);
      requires.push(capability);
    }
  }
  // The HTTP interface takes one statement per request; statements end with `;` at the end of a line.
  const statements = text.split(/;\s*$/m).map((chunk) => chunk.trim()).filter((chunk) => !isCommentOnly(chunk));
  if (statements.length === 0) throw new TypeError(`${fileName}: no SQL statement`);
  return {
    version,
    name,
    checksum: migrationChecksum(text),
    statements,
    requires,
  };
}

/**
 * Reads every migration in `dir`, ordered by version.
 * @param dir - the folder; app/migrations/clickhouse by default.
 * @returns the migrations.
 * @throws TypeError for a bad file name or a duplicate version.
 */
export async function loadClickHouseMigrations(dir = CLICKHOUSE_MIGRATIONS_DIR): Promise<ClickHouseMigration[]> {
  return (await readMigrationFiles(dir)).map((file) => parseClickHouseMigration(file.fileName, file.text));
}

/**
 * Decides what to apply given what is recorded and what the server can do. Pure, for tests.
 * @param migrations - every migration, in order.
 * @param applied - the recorded checksum of each applied version.
 * @param capabilities - what the server can do.
 * @returns the migrations to apply and those waiting for a capability.
 * @throws ClickHouseMigrationError `migration_changed` when an applied migration was edited.
 */
export function planClickHouseMigrations(
  migrations: readonly ClickHouseMigration[],
  applied: ReadonlyMap<string, string>,
  capabilities: ClickHouseCapabilities,
): ClickHouseMigrationPlan {
  const plan: ClickHouseMigrationPlan = { apply: [], skipped: [] };
  const pending = pendingMigrations(
    migrations,
    applied,
    (migration) => new ClickHouseMigrationError('migration_changed', `ClickHouse migration ${migration.version}_${migration.name} changed after it was applied; add a new migration instead`),
  );
  for (const migration of pending) {
    const missing = migration.requires.filter((capability) => !capabilities[capability]);
    if (missing.length > 0) plan.skipped.push({ version: migration.version, name: migration.name, missing });
    else plan.apply.push(migration);
  }
  return plan;
}

async function appliedVersions(client: ClickHouseClient): Promise<Map<string, string>> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
      (version String, name String, checksum String, applied_at DateTime('UTC'))
      ENGINE = MergeTree ORDER BY version`,
  });
  const result = await client.query({
    query: 'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version',
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: string; checksum: string }>();
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

export interface MigrateClickHouseOptions {
  client: ClickHouseClient;
  dir?: string;
  /** Detected from the server when not given; tests pass a newer server's set. */
  capabilities?: ClickHouseCapabilities;
  logger?: Pick<Logger, 'info'>;
}

/**
 * Applies pending migrations to the client's database.
 * @param options - the client, the folder, optional capabilities and a logger.
 * @returns what was applied and skipped, and the server version.
 * @throws ClickHouseMigrationError `migration_changed`, or the client's error.
 */
export async function migrateClickHouse(options: MigrateClickHouseOptions): Promise<ClickHouseMigrationResult> {
  const { client, logger } = options;
  const capabilities = options.capabilities ?? (await detectClickHouseCapabilities(client));
  const migrations = await loadClickHouseMigrations(options.dir);
  const plan = planClickHouseMigrations(migrations, await appliedVersions(client), capabilities);
  for (const migration of plan.apply) {
    for (const statement of migration.statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: Math.floor(Date.now() / 1000) }],
      format: 'JSONEachRow',
    });
    logger?.info({ migration: `${migration.version}_${migration.name}` }, 'applied ClickHouse migration');
  }
  for (const skipped of plan.skipped) {
    logger?.info({ migration: `${skipped.version}_${skipped.name}`, missing: skipped.missing, serverVersion: capabilities.version.raw }, 'ClickHouse migration waits for a newer server');
  }
  return { ...plan, serverVersion: capabilities.version.raw };
}

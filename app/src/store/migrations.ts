// Forward-only SQL migrations, applied in file-name order under a PostgreSQL advisory lock so that many
// instances starting at once (an App Runner deploy) migrate exactly once and the rest wait.
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { pendingMigrations, readMigrationFiles } from '../shared/migration-files.ts';
import { postgresSsl, type DatabaseSslMode } from './db.ts';

/** app/migrations/postgres, the same relative location from src/store and dist/store. */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/postgres/', import.meta.url));

// Any constant works as long as nothing else in the database uses it; this one spells "auth" in ASCII.
const MIGRATION_LOCK_KEY = 0x61757468;

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationLogger {
  info(details: object, message: string): void;
}

/**
 * Reads the numbered migration files (migration-files.ts).
 * @param dir - the folder; app/migrations/postgres by default.
 * @returns the migrations in version order; `name` is the file name.
 * @throws TypeError for a file name that does not match NNNN_name.sql or a duplicate number, which would make the order ambiguous.
 */
export async function readMigrations(dir = POSTGRES_MIGRATIONS_DIR): Promise<Migration[]> {
  return (await readMigrationFiles(dir)).map((file) => ({ version: file.version, name: file.fileName, sql: file.text, checksum: file.checksum }));
}

export interface MigrateOptions {
  url: string;
  ssl?: DatabaseSslMode;
  /** PEM CA bundle path for `verify-full` (DATABASE_SSL_ROOT_CERT). */
  sslRootCert?: string | undefined;
  dir?: string;
  logger?: MigrationLogger;
}

/**
 * Applies pending migrations and returns the names of those it applied.
 * @param options - the owner URL, TLS mode, CA bundle, folder and logger.
 * @returns the file names of the migrations applied.
 * @throws Error when an applied migration changed, or PostgreSQL's error (the failing migration is rolled back).
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const migrations = await readMigrations(options.dir);
  // One dedicated connection: advisory locks belong to the session that took them.
  const sql = postgres(options.url, {
    max: 1,
    ssl: postgresSsl(options.ssl, options.sslRootCert, options.url),
    onnotice: () => {},
    connection: { application_name: 'auth-migrate' },
  });
  const applied: string[] = [];
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await sql`
        create table if not exists schema_migrations (
          version text primary key,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`;
      const rows = await sql<{ version: string; checksum: string }[]>`select version, checksum from schema_migrations`;
      const done = new Map(rows.map((row) => [row.version, row.checksum]));
      // Editing an applied migration would silently diverge environments: refuse instead.
      const pending = pendingMigrations(migrations, done, (migration) => new Error(`migration ${migration.name} changed after it was applied`));
      for (const migration of pending) {
        await sql.begin(async (tx) => {
          await tx.unsafe(migration.sql);
          await tx`insert into schema_migrations (version, name, checksum) values (${migration.version}, ${migration.name}, ${migration.checksum})`;
        });
        options.logger?.info({ migration: migration.name }, 'migration applied');
        applied.push(migration.name);
      }
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return applied;
}

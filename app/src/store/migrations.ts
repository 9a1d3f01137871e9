// Forward-only SQL migrations, applied in file-name order under a PostgreSQL advisory lock so that many
// instances starting at once (an App Runner deploy) migrate exactly once and the rest wait.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { postgresSsl, type DatabaseSslMode } from './db.ts';

/** app/migrations/postgres, the same relative location from src/store and dist/store. */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/postgres/', import.meta.url));

// Any constant works as long as nothing else in the database uses it; this one spells "auth" in ASCII.
const MIGRATION_LOCK_KEY = 0x61757468;
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationLogger {
  info(details: object, message: string): void;
}

/** Reads the numbered migration files; rejects duplicate numbers, which would make the order ambiguous. */
export async function readMigrations(dir = POSTGRES_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match?.[1]) throw new Error(`migration file name ${file} does not match NNNN_name.sql`);
    if (migrations.some((migration) => migration.version === match[1])) throw new Error(`duplicate migration number in ${file}`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    migrations.push({ version: match[1], name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export interface MigrateOptions {
  url: string;
  ssl?: DatabaseSslMode;
  /** PEM CA bundle path for `verify-full` (DATABASE_SSL_ROOT_CERT). */
  sslRootCert?: string | undefined;
  dir?: string;
  logger?: MigrationLogger;
}

/** Applies pending migrations and returns the names of those it applied. */
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
      const rows = await sql<{ version: string; name: string; checksum: string }[]>`select version, name, checksum from schema_migrations`;
      const done = new Map(rows.map((row) => [row.version, row]));
      for (const migration of migrations) {
        const previous = done.get(migration.version);
        if (previous) {
          // Editing an applied migration would silently diverge environments: refuse instead.
          if (previous.checksum !== migration.checksum) throw new Error(`migration ${migration.name} changed after it was applied`);
          continue;
        }
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

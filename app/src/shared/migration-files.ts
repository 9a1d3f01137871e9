// The one reader of forward-only SQL migration files, for both runners (store/migrations.ts on
// PostgreSQL, events/clickhouse-migrations.ts on ClickHouse): `NNNN_name.sql` files in version order,
// each with a SHA-256 checksum, and the rule that an applied migration may never change.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** One migration file as read from disk. */
export interface MigrationFile {
  /** The four-digit number that orders it, e.g. `0003`. */
  version: string;
  /** The name after the number, without `.sql`. */
  name: string;
  /** The file name, e.g. `0003_sessions.sql`. */
  fileName: string;
  text: string;
  /** SHA-256 of the text, hex. */
  checksum: string;
}

/**
 * Splits a migration file name into its version and name.
 * @param fileName - e.g. `0003_sessions.sql`.
 * @returns the version (`0003`) and the name (`sessions`).
 * @throws TypeError when the name does not match `NNNN_name.sql` (lower case, digits, underscores).
 */
export function parseMigrationFileName(fileName: string): { version: string; name: string } {
  const match = FILE_NAME.exec(fileName);
  if (!match?.[1] || !match[2]) throw new TypeError(`migration file name ${fileName} does not match NNNN_name.sql`);
  return { version: match[1], name: match[2] };
}

/**
 * Reads the `.sql` files of `dir` in file-name (so version) order.
 * @param dir - the migrations folder.
 * @returns the files with their version, name, text and checksum.
 * @throws TypeError for a file name that does not match `NNNN_name.sql` or a version used twice (the order would be ambiguous).
 */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const fileNames = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const fileName of fileNames) {
    const { version, name } = parseMigrationFileName(fileName);
    if (files.some((file) => file.version === version)) throw new TypeError(`duplicate migration number in ${fileName}`);
    const text = await readFile(`${dir}/${fileName}`, 'utf8');
    files.push({ version, name, fileName, text, checksum: migrationChecksum(text) });
  }
  return files;
}

/**
 * @param text - a migration's text.
 * @returns its SHA-256, hex.
 */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The migrations not applied yet, in order. Editing an applied migration would silently diverge
 * environments, so a checksum that differs from the recorded one is refused.
 * @param migrations - every migration, in version order.
 * @param applied - the recorded checksum of each applied version.
 * @param changed - builds the error for an applied migration whose checksum differs.
 * @returns the pending migrations.
 * @throws what `changed` returns, for the first changed migration.
 */
export function pendingMigrations<T extends { version: string; checksum: string }>(
  migrations: readonly T[],
  applied: ReadonlyMap<string, string>,
  changed: (migration: T) => Error,
): T[] {
  const pending: T[] = [];
  for (const migration of migrations) {
    const recorded = applied.get(migration.version);
    if (recorded === undefined) pending.push(migration);
    else if (recorded !== migration.checksum) throw changed(migration);
  }
  return pending;
}

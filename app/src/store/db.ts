// The one postgres.js instance of the process, and the narrow types the stores accept.
import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Either the pool or a transaction: store functions work inside and outside `sql.begin`. */
export type Queryable = Sql | TransactionSql;

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  ssl?: 'disable' | 'require' | 'verify-full';
  applicationName?: string;
}

/** Creates a connection pool. Call `sql.end({ timeout })` once at shutdown. */
export function createSql(options: DatabaseOptions): Sql {
  return postgres(options.url, {
    max: options.poolMax ?? 10,
    ssl: options.ssl === undefined || options.ssl === 'disable' ? false : options.ssl,
    // Notices (e.g. "relation already exists, skipping") are not errors; keep them out of the logs.
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'auth' },
    // Idle connections are closed so a scaled-down service does not pin database slots.
    idle_timeout: 60,
    connect_timeout: 10,
  });
}

/** True when PostgreSQL answers a trivial query; used by /readyz. */
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

/** The constraint (or unique index) that a unique violation hit, if that is what the error is. */
export function uniqueViolationConstraint(error: unknown): string | undefined {
  if (error instanceof postgres.PostgresError && error.code === UNIQUE_VIOLATION) return error.constraint_name;
  return undefined;
}

// Users in PostgreSQL. `email` holds the canonical form (auth/canonical-email.ts), which callers compute;
// the table refuses any other form (migration 0003) and is unique on it.
import { AppError } from '../errors.ts';
import { uniqueViolationConstraint, type Queryable } from './db.ts';

export interface UserRow {
  id: string;
  email: string;
  passwordHash: string;
  /** Incremented by a password change only (migration 0005); a rehash at login leaves it. */
  passwordVersion: number;
  createdAt: Date;
}

interface UserRecord {
  id: string;
  email: string;
  password_hash: string;
  password_version: number;
  created_at: Date;
}

const toUser = (row: UserRecord): UserRow => ({ id: row.id, email: row.email, passwordHash: row.password_hash, passwordVersion: row.password_version, createdAt: row.created_at });

// users_email_lower_key is the index of releases before migration 0003, kept until a contract migration.
const EMAIL_UNIQUE_INDEXES = new Set(['users_email_key', 'users_email_lower_key']);

/**
 * Inserts a user; `email` must be canonical (the table's check refuses anything else).
 * @throws AppError `email_taken` when the email exists.
 * @param sql - the pool or a transaction.
 * @param input - canonical email, argon2id PHC hash and creation time.
 * @returns the new user row.
 */
export async function insertUser(sql: Queryable, input: { email: string; passwordHash: string; now: Date }): Promise<UserRow> {
  try {
    const [row] = await sql<UserRecord[]>`
      insert into users (email, password_hash, created_at, password_changed_at)
      values (${input.email}, ${input.passwordHash}, ${input.now}, ${input.now})
      returning id, email, password_hash, password_version, created_at`;
    if (!row) throw new Error('insert returned no row');
    return toUser(row);
  } catch (error) {
    if (EMAIL_UNIQUE_INDEXES.has(uniqueViolationConstraint(error) ?? '')) throw new AppError('email_taken', { cause: error });
    throw error;
  }
}

/**
 * Looks a user up by canonical email: plain equality, so PostgreSQL applies no case mapping of its own.
 * @param sql - the pool or a transaction.
 * @param email - the canonical email (auth/canonical-email.ts).
 * @returns the user, or undefined.
 */
export async function findUserByEmail(sql: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRecord[]>`
    select id, email, password_hash, password_version, created_at from users where email = ${email}`;
  return row && toUser(row);
}

/**
 * Reads one user by id.
 * @param sql - the pool or a transaction.
 * @param id - the user id (UUID).
 * @returns the user, or undefined.
 */
export async function findUserById(sql: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRecord[]>`select id, email, password_hash, password_version, created_at from users where id = ${id}`;
  return row && toUser(row);
}

/**
 * Rehashes the same password with the configured parameters (at login). Compare-and-swap on the hash: the
 * row changes only while it still holds `expectedHash`, so a rehash never overwrites a password change made
 * meanwhile. Neither `password_changed_at` nor `password_version` changes: it is not a password change.
 * @returns false when `expectedHash` is no longer the stored hash (nothing written).
 * @param sql - the pool or a transaction.
 * @param input - the user, the new hash and the hash it replaces (compare-and-swap).
 */
export async function rehashPassword(sql: Queryable, input: { userId: string; passwordHash: string; expectedHash: string }): Promise<boolean> {
  const rows = await sql`
    update users set password_hash = ${input.passwordHash}
    where id = ${input.userId} and password_hash = ${input.expectedHash}
    returning id`;
  return rows.length > 0;
}

/**
 * A password change: stores the new hash and increments `password_version`, as a compare-and-swap on
 * `expectedVersion`, the version whose hash the caller verified the current password against. A change
 * that verified a password replaced meanwhile (an older change finishing after a newer one) writes nothing.
 * Takes the user row lock until the caller's transaction ends, so concurrent changes are serialised.
 * @returns false when `expectedVersion` is no longer the account's (nothing written).
 * @param sql - the pool or a transaction.
 * @param input - the user, the new hash, the time and the password version the caller verified.
 */
export async function changePasswordHash(
  sql: Queryable,
  input: { userId: string; passwordHash: string; now: Date; expectedVersion: number },
): Promise<boolean> {
  const rows = await sql`
    update users set password_hash = ${input.passwordHash}, password_changed_at = ${input.now}, password_version = password_version + 1
    where id = ${input.userId} and password_version = ${input.expectedVersion}
    returning id`;
  return rows.length > 0;
}

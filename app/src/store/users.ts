// Users in PostgreSQL. `email` holds the canonical form (auth/canonical-email.ts), which callers compute;
// the table refuses any other form (migration 0003) and is unique on it.
import { AppError } from '../http/errors.ts';
import { uniqueViolationConstraint, type Queryable } from './db.ts';

export interface UserRow {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
}

interface UserRecord {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date;
}

const toUser = (row: UserRecord): UserRow => ({ id: row.id, email: row.email, passwordHash: row.password_hash, createdAt: row.created_at });

// users_email_lower_key is the index of releases before migration 0003, kept until a contract migration.
const EMAIL_UNIQUE_INDEXES = new Set(['users_email_key', 'users_email_lower_key']);

/**
 * Inserts a user; `email` must be canonical (the table's check refuses anything else).
 * @throws AppError `email_taken` when the email exists.
 */
export async function insertUser(sql: Queryable, input: { email: string; passwordHash: string; now: Date }): Promise<UserRow> {
  try {
    const [row] = await sql<UserRecord[]>`
      insert into users (email, password_hash, created_at, password_changed_at)
      values (${input.email}, ${input.passwordHash}, ${input.now}, ${input.now})
      returning id, email, password_hash, created_at`;
    if (!row) throw new Error('insert returned no row');
    return toUser(row);
  } catch (error) {
    if (EMAIL_UNIQUE_INDEXES.has(uniqueViolationConstraint(error) ?? '')) throw new AppError('email_taken', { cause: error });
    throw error;
  }
}

/** Looks a user up by canonical email: plain equality, so PostgreSQL applies no case mapping of its own. */
export async function findUserByEmail(sql: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRecord[]>`
    select id, email, password_hash, created_at from users where email = ${email}`;
  return row && toUser(row);
}

export async function findUserById(sql: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRecord[]>`select id, email, password_hash, created_at from users where id = ${id}`;
  return row && toUser(row);
}

/**
 * Replaces the password hash. With `expectedHash` it is a compare-and-swap: the row changes only while it
 * still holds that hash, so a rehash at login can never overwrite a password change made meanwhile.
 * @returns false when `expectedHash` was given and is no longer the stored hash.
 */
export async function updatePasswordHash(
  sql: Queryable,
  input: { userId: string; passwordHash: string; now: Date; changed: boolean; expectedHash?: string },
): Promise<boolean> {
  const expected = input.expectedHash ?? null;
  // A rehash with new parameters is not a password change: password_changed_at stays.
  const rows = await sql`
    update users set password_hash = ${input.passwordHash},
      password_changed_at = case when ${input.changed} then ${input.now}::timestamptz else password_changed_at end
    where id = ${input.userId} and (${expected}::text is null or password_hash = ${expected}::text)
    returning id`;
  return rows.length > 0;
}

// One fresh PostgreSQL database per test file, created through TEST_DATABASE_ADMIN_URL, mirroring
// production roles: an owner role runs the migrations, a least-privilege role serves requests and
// receives DML only through ALTER DEFAULT PRIVILEGES (migrations grant nothing).
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createSql, type Sql } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrations.ts';

export interface TestDatabase {
  /** Application role URL (least privilege). */
  url: string;
  /** Owner role URL (migrations). */
  ownerUrl: string;
  name: string;
  /** A pool as the application role; closed by drop(). */
  sql: Sql;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.TEST_DATABASE_ADMIN_URL;
  if (!url) throw new Error('TEST_DATABASE_ADMIN_URL is not set: run through `npm test`, or start services (node scripts/services.mjs start)');
  return url;
}

function withCredentials(base: string, user: string, password: string, database: string): string {
  const url = new URL(base);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabaseOptions {
  migrate?: boolean;
  /** Another server's superuser URL (a private server, see private-postgres.ts); default TEST_DATABASE_ADMIN_URL. */
  adminUrl?: string;
  /** Size of the app-role pool; default 4. */
  poolMax?: number;
}

/** Creates roles and a database, runs the migrations as the owner, and returns the app-role pool. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const admin = options.adminUrl ?? adminUrl();
  const suffix = randomBytes(6).toString('hex');
  const name = `test_${suffix}`;
  const owner = `${name}_owner`;
  const app = `${name}_app`;
  const ownerPassword = randomBytes(16).toString('hex');
  const appPassword = randomBytes(16).toString('hex');
  const setup = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await setup.unsafe(`create role ${owner} login password '${ownerPassword}'`);
    await setup.unsafe(`create role ${app} login password '${appPassword}'`);
    await setup.unsafe(`create database ${name} owner ${owner}`);
  } finally {
    await setup.end({ timeout: 5 });
  }
  const inDatabase = postgres(withCredentials(admin, new URL(admin).username, decodeURIComponent(new URL(admin).password), name), { max: 1, onnotice: () => {} });
  try {
    await inDatabase.unsafe(`revoke all on database ${name} from public`);
    await inDatabase.unsafe(`grant connect on database ${name} to ${app}`);
    await inDatabase.unsafe(`alter schema public owner to ${owner}`);
    await inDatabase.unsafe(`grant usage on schema public to ${app}`);
    await inDatabase.unsafe(`alter default privileges for role ${owner} in schema public grant select, insert, update, delete on tables to ${app}`);
    await inDatabase.unsafe(`alter default privileges for role ${owner} in schema public grant usage, select on sequences to ${app}`);
  } finally {
    await inDatabase.end({ timeout: 5 });
  }
  const ownerUrl = withCredentials(admin, owner, ownerPassword, name);
  const url = withCredentials(admin, app, appPassword, name);
  if (options.migrate !== false) await migrate({ url: ownerUrl });
  const sql = createSql({ url, poolMax: options.poolMax ?? 4 });
  return {
    url,
    ownerUrl,
    name,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const cleanup = postgres(admin, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
        await cleanup.unsafe(`drop role if exists ${app}`);
        await cleanup.unsafe(`drop role if exists ${owner}`);
      } finally {
        await cleanup.end({ timeout: 5 });
      }
    },
  };
}

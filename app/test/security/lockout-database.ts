// A throwaway database with every migration applied, for the lockout store tests.
// Created through TEST_DATABASE_ADMIN_URL (set by `npm test` or `node scripts/services.mjs start`).
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createSql, type Sql } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrations.ts';

export async function createMigratedDatabase(): Promise<{ sql: Sql; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_ADMIN_URL is not set; run through `npm test` or start scripts/services.mjs');
  const name = `lockout_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate({ url: url.toString() });
  const sql = createSql({ url: url.toString(), poolMax: 20 });
  return {
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import postgres from 'postgres';
import { migrate, POSTGRES_MIGRATIONS_DIR, readMigrations } from '../../src/store/migrations.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;

test.before(async () => {
  db = await createTestDatabase({ migrate: false });
});

test.after.always(async () => {
  await db?.drop();
});

test.serial('instances starting at once migrate exactly once (advisory lock)', async (t) => {
  const results = await Promise.all(Array.from({ length: 5 }, () => migrate({ url: db.ownerUrl })));
  const all = await readMigrations();
  t.deepEqual(results.flat().sort(), all.map((migration) => migration.name).sort());
  t.is(results.filter((applied) => applied.length > 0).length, 1);
  const rows = await db.sql<{ version: string }[]>`select version from schema_migrations order by version`;
  t.deepEqual(rows.map((row) => row.version), all.map((migration) => migration.version));
  t.deepEqual(await migrate({ url: db.ownerUrl }), []);
});

test.serial('the application role can use the tables but not change the schema', async (t) => {
  await migrate({ url: db.ownerUrl });
  await t.notThrowsAsync(db.sql`select count(*) from users`);
  const error = await t.throwsAsync(db.sql`create table intruder (id int)`);
  t.regex(error!.message, /permission denied/);
  await t.throwsAsync(db.sql`drop table users`, { message: /must be owner/ });
});

test.serial('an applied migration that was edited is refused', async (t) => {
  await migrate({ url: db.ownerUrl });
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const file of readdirSync(POSTGRES_MIGRATIONS_DIR)) {
    const text = readFileSync(join(POSTGRES_MIGRATIONS_DIR, file), 'utf8');
    writeFileSync(join(dir, file), file.startsWith('0001_') ? `${text}\n-- edited\n` : text);
  }
  await t.throwsAsync(migrate({ url: db.ownerUrl, dir }), { message: /0001_.*changed after it was applied/ });
});

test.serial('a failing migration rolls back completely and is not recorded', async (t) => {
  await migrate({ url: db.ownerUrl });
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const file of readdirSync(POSTGRES_MIGRATIONS_DIR)) writeFileSync(join(dir, file), readFileSync(join(POSTGRES_MIGRATIONS_DIR, file)));
  writeFileSync(join(dir, '9999_broken.sql'), 'create table half_done (id int);\nselect * from no_such_table;');
  await t.throwsAsync(migrate({ url: db.ownerUrl, dir }), { message: /no_such_table/ });
  const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  t.teardown(() => owner.end({ timeout: 5 }));
  t.is((await owner`select to_regclass('half_done') as table`)[0]?.table, null);
  t.is((await owner`select count(*)::int as n from schema_migrations where version = '9999'`)[0]?.n, 0);
});

test('migration files are numbered, unique, and grant nothing to named roles', async (t) => {
  const migrations = await readMigrations();
  t.true(migrations.length >= 1);
  for (const migration of migrations) {
    t.regex(migration.name, /^\d{4}_[a-z0-9_]+\.sql$/);
    t.false(/\bgrant\b/i.test(migration.sql.replace(/--.*$/gm, '')), `${migration.name} must not GRANT`);
  }
});

test('a bad file name is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  writeFileSync(join(dir, '1_short.sql'), 'select 1');
  await t.throwsAsync(readMigrations(dir), { message: /does not match NNNN_name.sql/ });
});

// Migration 0003 (issue 14 item 3): existing rows move to the canonical email; a row it cannot move, or two
// rows that would become one, stop it with their ids, and nothing is changed, merged or deleted.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import postgres from 'postgres';
import { canonicalEmail } from '../../src/auth/canonical-email.ts';
import { migrate, POSTGRES_MIGRATIONS_DIR } from '../../src/store/migrations.ts';
import { createTestDatabase } from '../helpers/database.ts';

/** The migrations before 0003, so a database can hold rows written by the previous release. */
function migrationsBefore(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const file of readdirSync(POSTGRES_MIGRATIONS_DIR)) if (file < version) writeFileSync(join(dir, file), readFileSync(join(POSTGRES_MIGRATIONS_DIR, file)));
  return dir;
}

/** A database at the previous release's schema, with `emails` inserted as that release could; returns the owner connection and the ids. */
async function previousRelease(t: import('ava').ExecutionContext, emails: string[], options: { dropLowerIndex?: boolean } = {}) {
  const db = await createTestDatabase({ migrate: false });
  t.teardown(() => db.drop());
  await migrate({ url: db.ownerUrl, dir: migrationsBefore('0003') });
  const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  t.teardown(() => owner.end({ timeout: 5 }));
  // A database whose old lower() index followed a locale where lower('I') is not 'i' (Turkish) let two
  // spellings in; dropping the index stands for that here.
  if (options.dropLowerIndex) await owner`drop index users_email_lower_key`;
  const ids: string[] = [];
  for (const email of emails) {
    const [row] = await owner<{ id: string }[]>`insert into users (email, password_hash, created_at, password_changed_at) values (${email}, 'hash', now(), now()) returning id`;
    ids.push(row!.id);
  }
  const [user] = await owner<{ id: string }[]>`select id from users limit 1`;
  if (user) await owner`insert into sessions (user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at) values (${user.id}, now(), now(), now() + interval '1 hour', now() + interval '1 hour')`;
  const snapshot = () => owner<{ id: string; email: string }[]>`select id, email from users order by id`;
  return { db, owner, ids, snapshot };
}

test('existing rows take their canonical form, keeping every account and its sessions', async (t) => {
  const { db, owner, ids } = await previousRelease(t, ['Alice@Example.COM', 'bob@example.com', 'CAROL+News@Example.org']);
  await migrate({ url: db.ownerUrl });
  const rows = await owner<{ id: string; email: string }[]>`select id, email from users`;
  t.deepEqual(Object.fromEntries(rows.map((row) => [row.id, row.email])), { [ids[0]!]: 'alice@example.com', [ids[1]!]: 'bob@example.com', [ids[2]!]: 'carol+news@example.org' });
  t.is((await owner<{ n: number }[]>`select count(*)::int as n from sessions`)[0]!.n, 1);
});

test('on printable ASCII the migration\'s lower(email COLLATE "C") is canonicalEmail', async (t) => {
  const db = await createTestDatabase({ migrate: false });
  t.teardown(() => db.drop());
  const samples = fc.sample(fc.oneof(fc.emailAddress(), fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1 })), 500);
  const rows = await db.sql<{ input: string; lowered: string }[]>`
    select input, lower(input collate "C") as lowered from unnest(${samples}::text[]) as input`;
  t.is(rows.length, samples.length);
  for (const row of rows) t.is(row.lowered as string | undefined, canonicalEmail(row.input), row.input);
});

test('a row outside printable ASCII stops the migration with its id, and nothing changes', async (t) => {
  const { db, ids, snapshot } = await previousRelease(t, ['al\u0130ce@example.com', 'Mixed@Example.com']);
  const before = await snapshot();
  const error = await t.throwsAsync(migrate({ url: db.ownerUrl }));
  t.regex(error!.message, new RegExp(`email canonicalisation stopped, no row changed: user ${ids[0]} is not printable ASCII`));
  t.deepEqual(await snapshot(), before, 'no row was rewritten, merged or deleted');
  const [applied] = await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations where version = '0003'`;
  t.is(applied!.n, 0);
});

test('two rows with one canonical address stop the migration with both ids, and both accounts stay', async (t) => {
  const { db, ids, snapshot } = await previousRelease(t, ['ALICE@example.com', 'alice@example.com', 'Other@example.com'], { dropLowerIndex: true });
  const before = await snapshot();
  const error = await t.throwsAsync(migrate({ url: db.ownerUrl }));
  t.regex(error!.message, new RegExp(`users ${ids.slice(0, 2).sort().join(', ')} have one canonical address`));
  t.deepEqual(await snapshot(), before);
});

test('after the migration the table refuses a non-canonical email and a second spelling', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const insert = (email: string) => db.sql`insert into users (email, password_hash, created_at, password_changed_at) values (${email}, 'hash', now(), now())`;
  await insert('dana@example.com');
  await t.throwsAsync(insert('Erin@example.com'), { message: /users_email_canonical/ });
  await t.throwsAsync(insert('fr\u0130da@example.com'), { message: /users_email_canonical/ });
  await t.throwsAsync(insert('dana@example.com'), { message: /users_email_key|users_email_lower_key/ });
});

// `npm run migrate` explains a failure as main.ts does (issue 19): one JSON line naming the setting to
// change, never a raw message or a stack trace. Runs src/ops/migrate.ts as a real process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const MIGRATE = fileURLToPath(new URL('../../src/ops/migrate.ts', import.meta.url));

function runMigrate(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import=tsx', MIGRATE], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = result.stderr.trim().split('\n');
  return { status: result.status, lines, line: JSON.parse(lines[0]!) as { msg: string; setting?: string; problem?: string; code?: string; problems?: string[] } };
}

test('a PostgreSQL that refuses the connection is one line naming the migration URL', (t) => {
  // Port 1 on loopback: nothing listens, so the connection is refused (ECONNREFUSED).
  const { status, lines, line } = runMigrate({ DATABASE_URL: 'postgres://auth@127.0.0.1:1/auth', DATABASE_MIGRATION_URL: 'postgres://owner:secret-password@127.0.0.1:1/auth' });
  t.is(status, 1);
  t.is(lines.length, 1, lines.join('\n'));
  t.like(line, { msg: 'migration failed', setting: 'DATABASE_MIGRATION_URL', code: 'ECONNREFUSED' });
  t.false(lines[0]!.includes('secret-password'), 'no secret value');
});

test('an unreadable DATABASE_SSL_ROOT_CERT is one line naming it', (t) => {
  const { status, lines, line } = runMigrate({ DATABASE_URL: 'postgres://auth@127.0.0.1:1/auth', DATABASE_SSL: 'verify-full', DATABASE_SSL_ROOT_CERT: '/nonexistent/ca.pem' });
  t.is(status, 1);
  t.is(lines.length, 1, lines.join('\n'));
  t.like(line, { msg: 'migration failed', setting: 'DATABASE_SSL_ROOT_CERT' });
  t.regex(line.problem ?? '', /cannot read the CA bundle/);
});

test('an invalid configuration still lists every problem', (t) => {
  const { status, line } = runMigrate({ DATABASE_URL: 'not a url', DATABASE_SSL: 'on' });
  t.is(status, 1);
  t.is(line.msg, 'migration failed');
  t.true((line.problems ?? []).some((problem) => problem.startsWith('DATABASE_SSL')), JSON.stringify(line));
});

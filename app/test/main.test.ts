// main.ts as a real process against a real database: migrate, listen, serve, and exit cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { FAST_ARGON2_ENV } from './helpers/test-app.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let db: TestDatabase;

test.before(async () => {
  db = await createTestDatabase({ migrate: false });
});

test.after.always(async () => {
  await db?.drop();
});

function startMain(env: Record<string, string>) {
  // A clean environment: nothing leaks in from the test runner's (e.g. CLICKHOUSE_URL).
  const child = spawn(process.execPath, ['--import=tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HIBP_ENABLED: 'false', ...FAST_ARGON2_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'listening') resolve(entry.port as number);
    });
    child.once('exit', (code) => reject(new Error(`main exited with ${code}: ${stderr}`)));
  });
  return { child, lines, listening, stderr: () => stderr };
}

test('main.ts migrates, serves, and exits 0 on SIGTERM', async (t) => {
  const main = startMain({ PORT: '0', DATABASE_URL: db.url, DATABASE_MIGRATION_URL: db.ownerUrl });
  t.teardown(() => main.child.kill('SIGKILL'));
  const port = await main.listening;
  const base = `http://127.0.0.1:${port}`;
  // On failure, show what the process said: this test runs a whole process and can fail anywhere.
  const said = () => `stderr: ${main.stderr()}\nlog: ${main.lines.map((line) => JSON.stringify(line)).join('\n')}`;
  t.is((await fetch(`${base}/healthz`)).status, 200, said());
  const ready = await fetch(`${base}/readyz`);
  t.is(ready.status, 200, `${await ready.text()}\n${said()}`);
  const registered = await fetch(`${base}/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'main@example.com', password: 'a long enough passphrase' }),
  });
  t.is(registered.status, 201, said());
  const exited = once(main.child, 'exit');
  main.child.kill('SIGTERM');
  const [code] = await exited;
  t.is(code, 0, said());
  const messages = main.lines.map((line) => line.msg);
  t.true(messages.includes('migration applied'), said());
  t.true(messages.includes('shutting down'), said());
  t.is(messages.at(-1), 'stopped', said());
  t.true(main.lines.some((line) => line.level === 'warn' && String(line.msg).includes('ephemeral signing key')));
  const [migrations] = await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
  t.true(migrations!.n >= 1);
});

test('main.ts refuses to start in production without signing keys, naming every problem', async (t) => {
  const main = startMain({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/x', PORT: 'http' });
  const [code] = await once(main.child, 'exit');
  await main.listening.catch(() => undefined);
  t.is(code, 78);
  const report = JSON.parse(main.stderr().trim()) as { problems: string[] };
  t.true(report.problems.some((problem) => problem.startsWith('JWT_SIGNING_KEYS:')));
  t.true(report.problems.some((problem) => problem.startsWith('PORT:')));
  t.false(main.stderr().includes('hunter2'));
});

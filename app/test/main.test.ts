// main.ts as a real process against a real database: migrate, listen, serve, and exit cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { readMigrations } from '../src/store/migrations.ts';
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
  const waiters: { msg: string; resolve: () => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'listening') resolve(entry.port as number);
      for (const waiter of waiters.filter((candidate) => candidate.msg === entry.msg)) waiter.resolve();
    });
    child.once('exit', (code) => reject(new Error(`main exited with ${code}: ${stderr}`)));
  });
  /** Resolves when the process logs a line with this message. */
  const logged = (msg: string) =>
    lines.some((line) => line.msg === msg) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ msg, resolve }));
  return { child, lines, listening, logged, stderr: () => stderr };
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
  t.true(messages.includes('shutting down'), said());
  t.true(messages.includes('stopped'), said());
  t.true(main.lines.some((line) => line.level === 'warn' && String(line.msg).includes('ephemeral signing key')));
  // The other test in this file may have started first and migrated (that is the advisory lock at work),
  // so assert on the database rather than on which process logged 'migration applied'.
  const [migrations] = await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
  t.is(migrations!.n, (await readMigrations()).length);
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

test('a request in flight at SIGTERM is completed before the process exits', async (t) => {
  const main = startMain({ PORT: '0', DATABASE_URL: db.url, DATABASE_MIGRATION_URL: db.ownerUrl });
  t.teardown(() => main.child.kill('SIGKILL'));
  const port = await main.listening;
  // Send everything but the last byte of the body: the request is now in flight, its handler waiting.
  const body = JSON.stringify({ email: 'inflight@example.com', password: 'a long enough passphrase' });
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  socket.write(`POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, -1)}`);
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the server read the head (no assertion on time)
  const exited = once(main.child, 'exit');
  main.child.kill('SIGTERM');
  await main.logged('shutting down');
  // New connections are refused once shutdown has begun...
  await t.throwsAsync(fetch(`http://127.0.0.1:${port}/healthz`));
  // ...while the request in flight finishes normally.
  socket.write(body.slice(-1));
  await once(socket, 'close');
  t.regex(response, /^HTTP\/1\.1 201 /);
  const [code] = await exited;
  t.is(code, 0, main.stderr());
  const [user] = await db.sql<{ n: number }[]>`select count(*)::int as n from users where email = 'inflight@example.com'`;
  t.is(user!.n, 1);
});

// schemathesis (PyPI, pinned in .tool-versions) against the running app: app/src/main.ts as a real process on a
// throwaway PostgreSQL database, driven by the app's own /openapi.json. It generates requests for every operation
// and fails on any 5xx (not_a_server_error) and on any response that breaks its documented schema
// (response_schema_conformance). The run is bounded by --max-examples per operation, so it takes a few minutes
// at most on two shared cores.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import test from 'ava';
import { toolPath } from '../scripts/lib/toolchain.mjs';
import { createTestDatabase, type TestDatabase } from '../app/test/helpers/database.ts';
import { FAST_ARGON2_ENV } from '../app/test/helpers/test-app.ts';

const MAIN = new URL('../app/src/main.ts', import.meta.url).pathname;
/** Examples per operation and phase; enough to reach the schema edges (empty, oversized, wrong types). */
const MAX_EXAMPLES = '10';

let db: TestDatabase | undefined;
test.after.always(async () => {
  await db?.drop();
});

function startApp(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import=tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HIBP_ENABLED: 'false', ...FAST_ARGON2_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: new URL('../app/', import.meta.url).pathname,
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) resolve(entry.port);
    });
    child.once('exit', (code) => reject(new Error(`main.ts exited with ${code}: ${stderr}`)));
  });
  return { child, port, logs, stderr: () => stderr };
}

test('schemathesis finds no server error and no response outside the documented schema', async (t) => {
  // schemathesis is bounded by examples, not time; this only stops a hung run (tests never assert on time).
  t.timeout(15 * 60_000);
  const st = toolPath('st');
  db = await createTestDatabase({ migrate: false });
  const app = startApp({ PORT: '0', DATABASE_URL: db.url, DATABASE_MIGRATION_URL: db.ownerUrl });
  t.teardown(() => app.child.kill('SIGKILL'));
  const port = await app.port;
  // A real user and access token, so the operations behind bearer auth are exercised past their 401.
  const base = `http://127.0.0.1:${port}`;
  const credentials = JSON.stringify({ email: 'schemathesis@example.com', password: 'a long enough passphrase' });
  const headers = { 'content-type': 'application/json' };
  t.is((await fetch(`${base}/v1/users`, { method: 'POST', headers, body: credentials })).status, 201);
  const login = await fetch(`${base}/v1/sessions`, { method: 'POST', headers, body: credentials });
  t.is(login.status, 200);
  const { access_token: accessToken } = (await login.json()) as { access_token: string };
  const child = spawn(st, [
    'run', `${base}/openapi.json`,
    '--header', `Authorization: Bearer ${accessToken}`,
    '--checks', 'not_a_server_error,response_schema_conformance',
    '--max-examples', MAX_EXAMPLES,
    '--seed', '20261129',
    '--workers', '1',
    '--no-color',
  ], { env: { ...process.env, SCHEMATHESIS_HOOKS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (process.env.SCHEMATHESIS_PROGRESS) process.stderr.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const [code] = await once(child, 'exit');
  const serverErrors = app.logs.filter((line) => /"level":(50|60)/.test(line));
  t.log(output.trim().split('\n').slice(-12).join('\n'));
  t.is(code, 0, `schemathesis failed:\n${output}\napp errors:\n${serverErrors.join('\n')}\n${app.stderr()}`);
  // The run exercised the API: schemathesis reports the operations it tested.
  t.regex(output, /\b[1-9]\d* (passed|operations?)/i);
});

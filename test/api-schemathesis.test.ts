// schemathesis (PyPI, pinned in .tool-versions) against the running app: app/src/main.ts as a real process on a
// throwaway PostgreSQL database, driven by the app's own /openapi.json. It generates requests for every operation
// and fails on any 5xx (not_a_server_error) and on any response outside what the document says: a body that breaks
// its schema (response_schema_conformance), a status code it does not list (status_code_conformance), a media type
// it does not list (content_type_conformance), a documented required header missing (response_headers_conformance);
// check names of schemathesis 4.32.5 `st run --help`. The credential rate limits are lifted (as the app tests'
// harness lifts them), so the credential endpoints answer their real responses instead of mostly 429. The run is
// bounded by --max-examples per operation, so it takes a few minutes at most on two shared cores.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import test from 'ava';
import { toolPath } from '../scripts/lib/toolchain.mjs';
import { createTestDatabase, type TestDatabase } from '../app/test/helpers/database.ts';
import { FAST_ARGON2_ENV } from '../app/test/helpers/test-app.ts';

const MAIN = new URL('../app/src/main.ts', import.meta.url).pathname;
/** Examples per operation and phase; enough to reach the schema edges (empty, oversized, wrong types). */
const MAX_EXAMPLES = '10';
const CHECKS = 'not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance';

/** Runs `st run` on an OpenAPI URL with the checks above; resolves with its exit code and output. */
async function schemathesis(schemaUrl: string, extra: string[] = []): Promise<{ code: number; output: string }> {
  const child = spawn(toolPath('st'), [
    'run', schemaUrl,
    ...extra,
    '--checks', CHECKS,
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
  const [code] = (await once(child, 'exit')) as [number];
  return { code, output };
}

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
  db = await createTestDatabase({ migrate: false });
  const app = startApp({
    PORT: '0', DATABASE_URL: db.url, DATABASE_MIGRATION_URL: db.ownerUrl,
    RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000',
  });
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
  const { code, output } = await schemathesis(`${base}/openapi.json`, ['--header', `Authorization: Bearer ${accessToken}`]);
  const serverErrors = app.logs.filter((line) => /"level":(50|60)/.test(line));
  t.log(output.trim().split('\n').slice(-12).join('\n'));
  t.is(code, 0, `schemathesis failed:\n${output}\napp errors:\n${serverErrors.join('\n')}\n${app.stderr()}`);
  // The run exercised the API: schemathesis reports the operations it tested.
  t.regex(output, /\b[1-9]\d* (passed|operations?)/i);
});

// The same run can fail: a loopback server whose document promises a 200 with an object, and that answers one
// operation with a 500 and the other with an undocumented 418 and a body of the wrong type.
test('the schemathesis run fails on a server error and on a response outside the document', async (t) => {
  const document = {
    openapi: '3.0.3',
    info: { title: 'broken', version: '1' },
    paths: Object.fromEntries(['/crash', '/teapot'].map((path) => [path, {
      get: { responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } } } } },
    }])),
  };
  const server = createServer((request, response) => {
    if (request.url === '/openapi.json') return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    if (request.url?.startsWith('/crash')) return response.writeHead(500, { 'content-type': 'application/json' }).end('{}');
    return response.writeHead(418, { 'content-type': 'application/json' }).end('[1]');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const { code, output } = await schemathesis(`http://127.0.0.1:${port}/openapi.json`);
  t.not(code, 0, output);
  t.regex(output, /Server error/i);
  t.regex(output, /Undocumented (HTTP )?status code/i);
});

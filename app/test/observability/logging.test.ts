import { PassThrough } from 'node:stream';
import test from 'ava';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let db: TestDatabase;
let app: TestApp;

test.before(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db, { env: { LOG_LEVEL: 'trace' } });
});

test.after.always(async () => {
  await app?.close();
  await db?.drop();
});

test('a full session lifecycle never writes a password or token to the logs', async (t) => {
  const password = 'Zq9-unique-password-value';
  const newPassword = 'Kx7-another-password-value';
  const email = 'logged@example.com';
  const secrets: string[] = [password, newPassword];
  await app.request('POST', '/v1/users', { json: { email, password } });
  const login = await app.request<{ access_token: string; refresh_token: string }>('POST', '/v1/sessions', { json: { email, password } });
  secrets.push(login.body.access_token, login.body.refresh_token);
  await app.request('POST', '/v1/sessions', { json: { email, password: `${password}-wrong` } });
  const refreshed = await app.request<{ access_token: string; refresh_token: string }>('POST', '/v1/tokens/refresh', { json: { refresh_token: login.body.refresh_token } });
  secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
  await app.request('POST', '/v1/tokens/refresh', { json: { refresh_token: login.body.refresh_token } }); // reuse
  await app.request('GET', '/v1/me', { token: refreshed.body.access_token });
  await app.request('POST', '/v1/me/password', { token: refreshed.body.access_token, json: { current_password: password, new_password: newPassword } });
  // Bad input that carries secrets: malformed JSON, a token in the query string, a token in a bad header.
  await app.request('POST', '/v1/sessions', { body: `{"email":"${email}","password":"${password}"`, headers: { 'content-type': 'application/json' } });
  await app.request('GET', `/v1/me?access_token=${refreshed.body.access_token}`);
  await app.request('GET', '/v1/me', { headers: { authorization: `Token ${refreshed.body.refresh_token}` } });

  const logs = app.logs();
  t.true(logs.split('\n').filter(Boolean).length >= 10, 'the requests were logged');
  for (const secret of secrets) t.false(logs.includes(secret), `log contains ${secret.slice(0, 6)}…`);
  // Argon2 hashes are secrets too.
  t.false(/\$argon2id\$/.test(logs));
  for (const line of logs.split('\n').filter(Boolean)) t.notThrows(() => JSON.parse(line));
});

test('the logger redacts secrets by path when code does log them', (t) => {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const logger = createLogger({ level: 'info', destination: stream });
  logger.info({
    password: 'p1-secret',
    body: { new_password: 'p2-secret', refresh_token: 'r-secret' },
    req: { headers: { authorization: 'Bearer a-secret' } },
    key: { d: 'd-secret' },
    config: { DATABASE_URL: 'postgres://u:pw-secret@h/db' },
  }, 'careless line');
  const text = Buffer.concat(chunks).toString();
  for (const secret of ['p1-secret', 'p2-secret', 'r-secret', 'a-secret', 'd-secret', 'pw-secret']) t.false(text.includes(secret), secret);
  t.true(text.includes('[redacted]'));
});

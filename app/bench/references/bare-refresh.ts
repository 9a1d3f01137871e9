// Reference for refresh: the least a refresh-token rotation can do, in its own process on the same
// PostgreSQL and schema as the app. Bare Koa and postgres.js, no middleware: one transaction with one
// UPDATE ... RETURNING (claim the presented token, joined to its session for the subject) and one INSERT
// (the successor), then an ES256 access token signed with jsonwebtoken as the app signs it. No session
// checks, reuse handling, events, logging or metrics: run.ts reads the app's refresh as a ratio to it.
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import Koa from 'koa';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL!, { max: Number(process.env.DATABASE_POOL_MAX ?? 10), onnotice: () => {} });
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sha256 = (token: string) => createHash('sha256').update(token).digest();

const koa = new Koa();
koa.use(async (ctx) => {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  const { refresh_token: presented } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { refresh_token: string };
  const next = randomBytes(32).toString('base64url');
  const now = new Date();
  const claimed = await sql.begin(async (tx) => {
    const [row] = await tx<{ id: string; session_id: string; user_id: string }[]>`
      update refresh_tokens t set used_at = ${now}
      from sessions s
      where t.token_hash = ${sha256(presented)} and t.used_at is null and s.id = t.session_id
      returning t.id, t.session_id, s.user_id`;
    if (row) await tx`insert into refresh_tokens (session_id, parent_id, token_hash, created_at) values (${row.session_id}, ${row.id}, ${sha256(next)}, ${now})`;
    return row;
  });
  if (!claimed) {
    ctx.status = 401;
    ctx.body = { error: { code: 'invalid_token' } };
    return;
  }
  const iat = Math.floor(now.getTime() / 1000);
  const accessToken = jwt.sign(
    { iss: 'https://bench.example', aud: 'bench', sub: claimed.user_id, sid: claimed.session_id, jti: randomUUID(), iat, exp: iat + 900 },
    privateKey,
    { algorithm: 'ES256', keyid: 'bench', header: { alg: 'ES256', typ: 'at+jwt' } },
  );
  ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: 900, refresh_token: next };
});
const server = koa.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
server.keepAliveTimeout = 65_000;
process.on('disconnect', () => {
  server.close();
  void sql.end({ timeout: 1 }).then(() => process.exit(0));
});

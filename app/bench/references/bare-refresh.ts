// Reference for refresh: the least a refresh-token rotation can do, in its own process on the same
// PostgreSQL and schema as the app. Bare Koa and postgres.js, no middleware: one statement whose
// data-modifying CTEs claim the presented token (UPDATE ... RETURNING, joined to its session for the
// subject) and insert its successor, then an ES256 access token signed with jsonwebtoken as the app signs
// it. No session checks, reuse handling, events, logging or metrics: run.ts reads the app's refresh as a
// ratio to it. (Issue 15 described it as an UPDATE and an INSERT in a transaction: four round trips with
// BEGIN and COMMIT, against the app's one since rotate_refresh_token, which made the app 2.3 times as fast
// as its "reference" on 2026-11-29; the same two writes in one statement are the floor again.)
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
  // One statement, so one round trip and its own transaction: the same claim and insert the app's
  // rotate_refresh_token makes in one round trip (issue 15 item 2), without its session checks.
  const [claimed] = await sql<{ id: string; session_id: string; user_id: string }[]>`
    with claimed as (
      update refresh_tokens t set used_at = ${now}
      from sessions s
      where t.token_hash = ${sha256(presented)} and t.used_at is null and s.id = t.session_id
      returning t.id, t.session_id, s.user_id
    ), successor as (
      insert into refresh_tokens (session_id, parent_id, token_hash, created_at)
      select claimed.session_id, claimed.id, ${sha256(next)}, ${now} from claimed
    )
    select id, session_id, user_id from claimed`;
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

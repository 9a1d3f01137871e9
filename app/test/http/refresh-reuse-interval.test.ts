// Issue 14 item 5: a benign double refresh (two tabs, a retry after a timeout) must not log the user out.
// Within REFRESH_REUSE_INTERVAL of a token's first use, presenting it again answers 200 with a working pair
// and exactly one refresh-token chain stays alive; after the interval, reuse revokes the session as before.
import test from 'ava';
import { sharedTestApp } from '../helpers/shared-app.ts';
import { registerAndLogin } from '../helpers/test-app.ts';

// Serial: the tests move the app's one clock, and the interval is measured on it.
const { app, db } = sharedTestApp(test, { env: { REFRESH_REUSE_INTERVAL: '30s' } });

type ErrorBody = { error: { code: string } };
type TokenPair = { access_token: string; refresh_token: string };
const refresh = (token: string) => app.request<TokenPair & ErrorBody>('POST', '/v1/tokens/refresh', { json: { refresh_token: token } });
const me = (token: string) => app.request('GET', '/v1/me', { token });

/** Unused refresh tokens of the user's sessions: the live chains (one per live session). */
async function liveChains(userId: string): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from refresh_tokens rt join sessions s on s.id = rt.session_id
    where s.user_id = ${userId} and s.revoked_at is null and rt.used_at is null`;
  return row!.n;
}

test.serial('20 parallel refreshes with one token: every answer is 200, every returned token works, one chain stays alive', async (t) => {
  const login = await registerAndLogin(app, 'tabs@example.com');
  const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(login.refresh_token)));
  t.deepEqual(responses.map((response) => response.status), Array(20).fill(200), responses.map((response) => response.text).join('\n'));
  t.is(await liveChains(login.userId), 1);
  for (const response of responses) t.is((await me(response.body.access_token)).status, 200);
  // Each returned refresh token still refreshes inside the interval, and each time one chain stays alive.
  let last = '';
  for (const response of responses) {
    const next = await refresh(response.body.refresh_token);
    t.is(next.status, 200, next.text);
    t.is(await liveChains(login.userId), 1);
    last = next.body.refresh_token;
  }
  // The survivor is the last one issued; it rotates normally.
  t.is((await refresh(last)).status, 200);
  t.is(await liveChains(login.userId), 1);
  t.true(app.sink.events.some((event) => event.type === 'token_refreshed' && event.reason === 'reuse_interval' && event.userId === login.userId));
  t.false(app.sink.events.some((event) => event.type === 'refresh_token_reused' && event.userId === login.userId));
});

test.serial('parallel refreshes of one token all get the same successor, and it rotates normally', async (t) => {
  const login = await registerAndLogin(app, 'burst@example.com');
  const responses = await Promise.all(Array.from({ length: 8 }, () => refresh(login.refresh_token)));
  t.deepEqual(responses.map((response) => response.status), Array(8).fill(200), responses.map((response) => response.text).join('\n'));
  t.is(new Set(responses.map((response) => response.body.refresh_token)).size, 1, 'one successor: one chain');
  t.is(await liveChains(login.userId), 1);
  t.is((await refresh(responses[0]!.body.refresh_token)).status, 200);
  t.is(await liveChains(login.userId), 1);
});

test.serial('two tabs send one token at once, then each refreshes when its access token expires: every 200 token works', async (t) => {
  const login = await registerAndLogin(app, 'tabs2@example.com');
  const [a, b] = await Promise.all([0, 1].map(() => refresh(login.refresh_token)));
  t.is(a!.status, 200);
  t.is(b!.status, 200);
  app.clock.advance(15 * 60_000); // the access tokens' lifetime: both tabs refresh again, one after the other
  const nextA = await refresh(a!.body.refresh_token);
  const nextB = await refresh(b!.body.refresh_token);
  t.is(nextA.status, 200, nextA.text);
  t.is(nextB.status, 200, nextB.text);
  t.is((await me(nextA.body.access_token)).status, 200);
  t.is((await me(nextB.body.access_token)).status, 200);
  t.is(await liveChains(login.userId), 1);
  t.false(app.sink.events.some((event) => event.type === 'refresh_token_reused' && event.userId === login.userId));
});

test.serial('within the interval, a token older than the parent of the live token is reuse: the session is revoked', async (t) => {
  const login = await registerAndLogin(app, 'older@example.com');
  const second = await refresh(login.refresh_token);
  app.clock.advance(1_000);
  const third = await refresh(second.body.refresh_token);
  t.is(third.status, 200);
  app.clock.advance(1_000);
  const replay = await refresh(login.refresh_token);
  t.is(replay.status, 401);
  t.is(replay.body.error.code, 'token_reused');
  t.is((await me(third.body.access_token)).status, 401);
});

test.serial('a retry inside the interval gets the same working pair; after the interval the retried token is reuse', async (t) => {
  const login = await registerAndLogin(app, 'retry@example.com');
  const lost = await refresh(login.refresh_token); // the response the client never received
  t.is(lost.status, 200);
  app.clock.advance(29_000);
  const retried = await refresh(login.refresh_token);
  t.is(retried.status, 200);
  t.is(retried.body.refresh_token, lost.body.refresh_token);
  t.is(await liveChains(login.userId), 1);
  t.is((await me(retried.body.access_token)).status, 200);
  app.clock.advance(2_000); // 31 s after the first use: the window has closed
  const replay = await refresh(login.refresh_token);
  t.is(replay.status, 401);
  t.is(replay.body.error.code, 'token_reused');
});

test.serial('after the interval, presenting a rotated token is reuse: the session is revoked as before', async (t) => {
  const login = await registerAndLogin(app, 'thief@example.com');
  const rotated = await refresh(login.refresh_token);
  t.is(rotated.status, 200);
  app.clock.advance(30_000); // exactly the interval: outside it
  const replay = await refresh(login.refresh_token);
  t.is(replay.status, 401);
  t.is(replay.body.error.code, 'token_reused');
  t.is((await refresh(rotated.body.refresh_token)).body.error.code, 'invalid_token');
  t.is((await me(rotated.body.access_token)).status, 401);
  t.is(await liveChains(login.userId), 0);
});

test.serial('the interval cannot be stretched by repeating the token: it is anchored at the first use', async (t) => {
  const login = await registerAndLogin(app, 'pingpong@example.com');
  t.is((await refresh(login.refresh_token)).status, 200);
  for (let step = 0; step < 5; step++) {
    app.clock.advance(5_000);
    t.is((await refresh(login.refresh_token)).status, 200, `step ${step}`);
  }
  app.clock.advance(6_000); // 31 s after the first use
  t.is((await refresh(login.refresh_token)).body.error.code, 'token_reused');
});

test.serial('two steps back is reuse even inside the interval of the latest use', async (t) => {
  const login = await registerAndLogin(app, 'grandparent@example.com');
  const second = await refresh(login.refresh_token);
  app.clock.advance(40_000);
  const third = await refresh(second.body.refresh_token);
  t.is(third.status, 200);
  // The first token's use is 40 s old: outside its own interval, whatever happened since.
  t.is((await refresh(login.refresh_token)).body.error.code, 'token_reused');
});

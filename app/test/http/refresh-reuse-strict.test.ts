// REFRESH_REUSE_INTERVAL=0 is strict with a real (moving) clock: parallel sends of one token give exactly
// one 200, whatever order the requests read the clock in and took the session lock in (issue 14 review).
import test from 'ava';
import { createTestDatabase } from '../helpers/database.ts';
import { registerAndLogin, startTestApp } from '../helpers/test-app.ts';

test('interval 0 with a real clock: 8 parallel sends of one token give exactly one 200, in each of 10 rounds', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const app = await startTestApp(db, { env: { REFRESH_REUSE_INTERVAL: '0' }, deps: { clock: { now: () => Date.now() } } });
  t.teardown(() => app.close());
  const counts: number[] = [];
  for (let round = 0; round < 10; round++) {
    const login = await registerAndLogin(app, `strict${round}@example.com`);
    const responses = await Promise.all(Array.from({ length: 8 }, () => app.request('POST', '/v1/tokens/refresh', { json: { refresh_token: login.refresh_token } })));
    counts.push(responses.filter((response) => response.status === 200).length);
  }
  t.deepEqual(counts, Array(10).fill(1));
  t.false(app.sink.events.some((event) => event.type === 'token_refreshed' && event.reason === 'reuse_interval'));
});

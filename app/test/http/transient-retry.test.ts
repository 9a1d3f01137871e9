// Issue 14 item 1 (review): the refresh (one call of rotate_refresh_token) and the password change (one
// transaction) are rolled back whole on a deadlock or serialization failure, so they are run again with the
// lockout store's bounded retry instead of answering 503. The failure is PostgreSQL's own: a trigger, armed
// once by the test, raises SQLSTATE 40001 (serialization_failure) inside the real statement.
import test from 'ava';
import postgres from 'postgres';
import { createTestDatabase } from '../helpers/database.ts';
import { PASSWORD, registerAndLogin, startTestApp } from '../helpers/test-app.ts';

test('a serialization failure in the refresh and in the password change is retried: 200/204, counted as retried', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  t.teardown(() => owner.end({ timeout: 1 }));
  // nextval is not rolled back: armed with setval(..., 1, false), the next guarded statement fails once.
  await owner.unsafe(`
    create sequence fail_once start 1000;
    create function fail_once() returns trigger language plpgsql security definer as $$
    begin
      if nextval('fail_once') = 1 then raise exception 'injected' using errcode = '40001'; end if;
      return new;
    end $$;
    create trigger fail_once before update on refresh_tokens for each row execute function fail_once();
    create trigger fail_once before update on users for each row execute function fail_once();`);
  const app = await startTestApp(db);
  t.teardown(() => app.close());
  const tokens = await registerAndLogin(app, 'retry@example.com');

  await owner`select setval('fail_once', 1, false)`;
  const refreshed = await app.request<{ access_token: string }>('POST', '/v1/tokens/refresh', { json: { refresh_token: tokens.refresh_token } });
  t.is(refreshed.status, 200, refreshed.text);

  await owner`select setval('fail_once', 1, false)`;
  const changed = await app.request('POST', '/v1/me/password', { token: refreshed.body.access_token, json: { current_password: PASSWORD, new_password: 'another long passphrase 8' } });
  t.true(changed.status >= 200 && changed.status < 300, `${changed.status} ${changed.text}`);
  const [sequence] = await owner<{ value: string }[]>`select last_value::text as value from fail_once`;
  t.true(Number(sequence?.value) >= 2, 'the trigger did fire');

  const metrics = (await app.request('GET', '/metrics')).text;
  t.regex(metrics, /^database_transient_errors_total\{kind="serialization_failure",outcome="retried"\} 2$/m);
  t.notRegex(metrics, /outcome="unavailable"/);
});

// Issue 14 item 4: a login that verified the old password must not get a session when the owner changes
// the password between the verification and the session's creation. A password verifier held at a gate
// by the test makes the interleaving deterministic (no sleeps, no timing).
import test from 'ava';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords.ts';
import { createKeySet, generateEphemeralKeySet } from '../../src/auth/signing-keys.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { FAST_ARGON2_ENV, PASSWORD, registerAndLogin, startTestApp, type TestApp } from '../helpers/test-app.ts';

const NEW_PASSWORD = 'a brand new passphrase 7';

/** A real argon2 hasher whose next verification, once armed, waits at a gate the test opens. */
function gatedHasher(inner: PasswordHasher) {
  let armed: { entered: () => void; release: Promise<void> } | undefined;
  const hasher: PasswordHasher = {
    ...inner,
    async verify(hash, password) {
      const result = await inner.verify(hash, password);
      const gate = armed;
      armed = undefined;
      if (gate) {
        gate.entered();
        await gate.release;
      }
      return result;
    },
  };
  /** Arms the gate; resolves `entered` when a verification is held, and holds it until `open()`. */
  const arm = () => {
    let open!: () => void;
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (entered = resolve));
    armed = { entered, release: new Promise<void>((resolve) => (open = resolve)) };
    return { held, open };
  };
  return { hasher, arm };
}

type ErrorBody = { error: { code: string } };
type Pair = { access_token: string; refresh_token: string };

let db: TestDatabase;
// One key set for every app of the file, so a token issued by one app is accepted by the others.
const keys = createKeySet(generateEphemeralKeySet());
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});

async function appWith(env: Record<string, string>) {
  const config = { memoryKiB: Number(env.ARGON2_MEMORY_KIB), iterations: Number(env.ARGON2_ITERATIONS), parallelism: Number(env.ARGON2_PARALLELISM) };
  const gate = gatedHasher(createPasswordHasher(config));
  const app = await startTestApp(db, { env, keys, deps: { passwords: gate.hasher } });
  return { app, gate };
}

/** Starts a login with the old password, changes the password while its verification is held, then lets it finish. */
async function raceLoginAgainstPasswordChange(app: TestApp, arm: ReturnType<typeof gatedHasher>['arm'], email: string, owner: Pair) {
  const gate = arm();
  const attacker = app.request<Pair & ErrorBody>('POST', '/v1/sessions', { json: { email, password: PASSWORD } });
  await gate.held;
  const change = await app.request('POST', '/v1/me/password', { token: owner.access_token, json: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
  gate.open();
  return { change, attacker: await attacker };
}

test('a login whose verified password is changed before its session exists gets no session', async (t) => {
  const { app, gate } = await appWith(FAST_ARGON2_ENV);
  t.teardown(() => app.close());
  const owner = await registerAndLogin(app, 'race@example.com');
  const { change, attacker } = await raceLoginAgainstPasswordChange(app, gate.arm, 'race@example.com', owner);
  t.is(change.status, 204);
  t.is(attacker.status, 401, attacker.text);
  t.is(attacker.body.error?.code, 'invalid_credentials');
  if (attacker.status === 200) {
    // What the bug looked like: the attacker's tokens outlived the password change.
    t.is((await app.request('GET', '/v1/me', { token: attacker.body.access_token })).status, 401, 'the access token must not work');
    t.not((await app.request('POST', '/v1/tokens/refresh', { json: { refresh_token: attacker.body.refresh_token } })).status, 200, 'the refresh token must not rotate');
  }
  // Only the owner's session (kept by the change) is alive.
  const [active] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from sessions where user_id = ${owner.userId} and revoked_at is null`;
  t.is(active!.n, 1);
  t.true(app.sink.events.some((event) => event.type === 'login_failed' && event.reason === 'password_changed' && event.userId === owner.userId));
  t.deepEqual(app.undocumented, []);
});

test('a login that upgrades the hash does not undo a password change made meanwhile', async (t) => {
  // Registered with one argon2 cost, logged in on an app configured with another: the login rehashes.
  const { app: before } = await appWith(FAST_ARGON2_ENV);
  t.teardown(() => before.close());
  const owner = await registerAndLogin(before, 'rehash@example.com');
  const { app, gate } = await appWith({ ...FAST_ARGON2_ENV, ARGON2_MEMORY_KIB: '2048' });
  t.teardown(() => app.close());
  const { change, attacker } = await raceLoginAgainstPasswordChange(app, gate.arm, 'rehash@example.com', owner);
  t.is(change.status, 204);
  t.is(attacker.status, 401, attacker.text);
  // The new password is the account's password; the old one (rehashed by the racing login) is not.
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'rehash@example.com', password: PASSWORD } })).status, 401);
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'rehash@example.com', password: NEW_PASSWORD } })).status, 200);
  t.deepEqual(app.undocumented, []);
});

test('without a concurrent change, a login that upgrades the hash still logs in', async (t) => {
  const { app: before } = await appWith(FAST_ARGON2_ENV);
  t.teardown(() => before.close());
  await registerAndLogin(before, 'upgrade@example.com');
  const { app } = await appWith({ ...FAST_ARGON2_ENV, ARGON2_MEMORY_KIB: '2048' });
  t.teardown(() => app.close());
  t.is((await app.request('POST', '/v1/sessions', { json: { email: 'upgrade@example.com', password: PASSWORD } })).status, 200);
  const [row] = await db.sql<{ password_hash: string }[]>`select password_hash from users where email = 'upgrade@example.com'`;
  t.regex(row!.password_hash, /m=2048/);
});

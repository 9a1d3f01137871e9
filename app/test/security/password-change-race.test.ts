// Issue 14 item 4: a login that verified the old password must not get a session when the owner changes
// the password between the verification and the session's creation. A password verifier held at a gate
// by the test makes the interleaving deterministic (no sleeps, no timing).
import test from 'ava';
import { accountKeyOf, createLoginThrottle } from '../../src/auth/lockout.ts';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords.ts';
import { createLockoutStore } from '../../src/store/lockout-store.ts';
import { createKeySet, generateEphemeralKeySet } from '../../src/auth/signing-keys.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { FAST_ARGON2_ENV, PASSWORD, registerAndLogin, startTestApp, type TestApp, type TestOverrides } from '../helpers/test-app.ts';

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

async function appWith(env: Record<string, string>, deps: TestOverrides = {}) {
  const config = { memoryKiB: Number(env.ARGON2_MEMORY_KIB), iterations: Number(env.ARGON2_ITERATIONS), parallelism: Number(env.ARGON2_PARALLELISM) };
  const gate = gatedHasher(createPasswordHasher(config));
  const app = await startTestApp(db, { env, keys, deps: { passwords: gate.hasher, ...deps } });
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

test('concurrent correct logins while the hash is upgraded: the one whose hash another login upgraded still logs in', async (t) => {
  // Login A verifies the old hash and is held; login B verifies it too, upgrades the hash and logs in; then
  // A goes on. A rehash is not a password change, so A must get its session (it was refused: 401).
  const { app: before } = await appWith(FAST_ARGON2_ENV);
  t.teardown(() => before.close());
  await registerAndLogin(before, 'upgrade-race@example.com');
  const { app, gate } = await appWith({ ...FAST_ARGON2_ENV, ARGON2_MEMORY_KIB: '2048' });
  t.teardown(() => app.close());
  const held = gate.arm();
  const a = app.request('POST', '/v1/sessions', { json: { email: 'upgrade-race@example.com', password: PASSWORD } });
  await held.held;
  const b = await app.request('POST', '/v1/sessions', { json: { email: 'upgrade-race@example.com', password: PASSWORD } });
  held.open();
  t.is(b.status, 200, b.text);
  const answer = await a;
  t.is(answer.status, 200, answer.text);
  t.false(app.sink.events.some((event) => event.type === 'login_failed'));
  t.deepEqual(app.undocumented, []);
});

/** Starts a password change from `from`, holds its verification while `meanwhile` runs, then lets it finish. */
async function heldPasswordChange(app: TestApp, arm: ReturnType<typeof gatedHasher>['arm'], from: Pair, newPassword: string, meanwhile: () => Promise<void>) {
  const gate = arm();
  const change = app.request<ErrorBody>('POST', '/v1/me/password', { token: from.access_token, json: { current_password: PASSWORD, new_password: newPassword } });
  await gate.held;
  await meanwhile();
  gate.open();
  return change;
}

test('an older password change that finishes after a newer one changes nothing: the newer password stays', async (t) => {
  // The attacker (who knows the old password) starts a change; the owner changes the password meanwhile,
  // which revokes the attacker's session. The attacker's change must not overwrite the owner's password.
  const { app, gate } = await appWith(FAST_ARGON2_ENV);
  t.teardown(() => app.close());
  const email = 'change-race@example.com';
  const owner = await registerAndLogin(app, email);
  const attacker = (await app.request<Pair>('POST', '/v1/sessions', { json: { email, password: PASSWORD } })).body;
  const attackerPassword = 'attacker chosen passphrase 9';
  const attackerChange = await heldPasswordChange(app, gate.arm, attacker, attackerPassword, async () => {
    const ownerChange = await app.request('POST', '/v1/me/password', { token: owner.access_token, json: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    t.is(ownerChange.status, 204, ownerChange.text);
  });
  t.is(attackerChange.status, 401, attackerChange.text);
  t.is(attackerChange.body.error?.code, 'invalid_credentials');
  t.is((await app.request('POST', '/v1/sessions', { json: { email, password: NEW_PASSWORD } })).status, 200);
  t.is((await app.request('POST', '/v1/sessions', { json: { email, password: attackerPassword } })).status, 401);
  t.is((await app.request('GET', '/v1/me', { token: owner.access_token })).status, 200, "the owner's session is kept");
  t.is(app.sink.events.filter((event) => event.type === 'password_changed').length, 1, "only the owner's change happened");
  t.deepEqual(app.undocumented, []);
});

test('a password change from a session revoked while it verified changes nothing', async (t) => {
  // The owner ends every session (logout everywhere) while the attacker's change is held: the password is
  // unchanged, so only the session check can refuse it.
  const { app, gate } = await appWith(FAST_ARGON2_ENV);
  t.teardown(() => app.close());
  const email = 'change-revoked@example.com';
  const owner = await registerAndLogin(app, email);
  const attacker = (await app.request<Pair>('POST', '/v1/sessions', { json: { email, password: PASSWORD } })).body;
  const attackerPassword = 'attacker chosen passphrase 9';
  const attackerChange = await heldPasswordChange(app, gate.arm, attacker, attackerPassword, async () => {
    t.is((await app.request('DELETE', '/v1/sessions', { token: owner.access_token })).status, 204);
  });
  t.is(attackerChange.status, 401, attackerChange.text);
  t.is(attackerChange.body.error?.code, 'invalid_token');
  t.is((await app.request('POST', '/v1/sessions', { json: { email, password: PASSWORD } })).status, 200, 'the password is unchanged');
  t.is((await app.request('POST', '/v1/sessions', { json: { email, password: attackerPassword } })).status, 401);
  t.deepEqual(app.undocumented, []);
});

test('a login refused because the password changed meanwhile does not reset the failure count', async (t) => {
  // The production lockout store on this database, with thresholds nothing reaches here.
  const loginThrottle = createLoginThrottle({
    store: createLockoutStore(db.sql),
    now: () => Date.UTC(2030, 0, 1),
    policy: { accountIpThreshold: 100, accountThreshold: 100, windowSeconds: 900, baseDurationSeconds: 60, maxDurationSeconds: 900 },
  });
  const { app, gate } = await appWith(FAST_ARGON2_ENV, { loginThrottle });
  t.teardown(() => app.close());
  const email = 'race-lockout@example.com';
  const owner = await registerAndLogin(app, email);
  t.is((await app.request('POST', '/v1/sessions', { json: { email, password: 'a wrong passphrase 123' } })).status, 401);
  // This account's rows only: the file's other tests run at the same time on this database, and every app of the
  // harness wires the production lockout, so their logins add and clear rows of their own.
  const failures = async () => (await db.sql<{ n: number }[]>`select coalesce(sum(attempts), 0)::int as n from login_throttle where account_key = ${accountKeyOf(email)}`)[0]!.n;
  const before = await failures();
  t.true(before > 0);
  const { change, attacker } = await raceLoginAgainstPasswordChange(app, gate.arm, email, owner);
  t.is(change.status, 204);
  t.is(attacker.status, 401, attacker.text);
  t.true((await failures()) >= before, 'the refused login reset nothing');
});

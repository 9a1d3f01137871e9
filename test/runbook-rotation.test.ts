// The database credential rotation, end to end: fake `aws` (Secrets Manager, RDS, App Runner) but the
// real psql against a real PostgreSQL, so the test proves that the new password logs in, that the
// serving user keeps working during the rotation, and that REVOKE_PREVIOUS really locks it out.
// The fake answers are what the real CLIs print for the scripts' own `--query ... --output text` calls:
//   - Secrets Manager (API 2017-10-17): GetSecretValue's SecretString is the secret's JSON; PutSecretValue's
//     VersionId is a UUID. The RDS-managed master secret (RDS API 2014-10-31, DBInstance.MasterUserSecret.SecretArn;
//     Amazon RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager") is named
//     `rds!db-<uuid>`, its ARN ends in `-` and six random characters like every Secrets Manager ARN, and its value
//     holds only `username` and `password`.
//   - App Runner (API 2020-05-15, awscli 1.46.3 botocore service-2.json): OperationId is a UUID, a service ARN ends
//     in a 32-hex service id, `[Id, Type, Status] --output text` is one tab-separated line of the enums used here.
//   - ClickHouse's HTTP interface answers a DDL statement (ALTER USER) with 200 and an empty body (ClickHouse docs,
//     "HTTP Interface"); curl --fail prints nothing then.
import test from 'ava';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FakeCli, type FakeRule } from './lib/fake-cli.ts';
import { repoRoot } from './lib/hcl.ts';
// @ts-expect-error: a plain .mjs script without type declarations
import { scramSha256Verifier } from '../runbooks/scripts/scram-verifier.mjs';

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
const script = join(repoRoot, 'runbooks', 'scripts', 'rotate-database-credentials.sh');
const SERVICE_ARN = 'arn:aws:apprunner:eu-west-1:111111111111:service/auth-staging/8fe1e10304f84fd2b0df550fe98a71fa';
const OPERATION_ID = '17fe9f55-7e91-4097-b243-fcabbb69a4cf';
const VERSION_ID = 'a1b2c3d4-5678-40ab-8def-0123456789ab';
const MASTER_SECRET = 'rds!db-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

test.before(() => {
  if (!adminUrl) throw new Error('TEST_DATABASE_ADMIN_URL is not set: run through `npm test`, which starts PostgreSQL');
});

async function canLogin(url: URL, user: string, password: string, database: string): Promise<boolean> {
  const sql = postgres({ host: url.hostname, port: Number(url.port), user, password, database, max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const url = new URL(adminUrl!);
  const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
  const base = `rot_${randomBytes(4).toString('hex')}_app`;
  const database = `${base}_db`;
  const oldPassword = randomBytes(24).toString('hex');
  await admin.unsafe(`create role ${base} nologin`);
  await admin.unsafe(`create role ${base}_blue login password '${oldPassword}' in role ${base}`);
  await admin.unsafe(`create role ${base}_green nologin in role ${base}`);
  await admin.unsafe(`create database ${database}`);
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    for (const role of [`${base}_blue`, `${base}_green`, base]) await admin.unsafe(`drop role if exists ${role}`);
    await admin.end({ timeout: 1 });
  });
  const secret = { username: `${base}_blue`, password: oldPassword, host: 'db.internal', port: 5432, dbname: database, url: 'redacted' };
  const master = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  const rules: FakeRule[] = [
    { tool: 'aws', match: ['get-secret-value', 'auth/staging/database'], answers: [{ stdout: `${JSON.stringify(secret)}\n` }] },
    { tool: 'aws', match: ['describe-db-instances', 'auth-staging'], answers: [{ stdout: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${MASTER_SECRET}-AbCdEf\n` }] },
    { tool: 'aws', match: ['get-secret-value', MASTER_SECRET], answers: [{ stdout: `${JSON.stringify(master)}\n` }] },
    { tool: 'aws', match: ['put-secret-value', 'auth/staging/database'], answers: [{ stdout: `${VERSION_ID}\n` }] },
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['start-deployment'], answers: [{ stdout: `${OPERATION_ID}\n` }] },
    { tool: 'aws', match: ['describe-service', 'Service.Status'], answers: [{ stdout: 'RUNNING\n' }] },
  ];
  const env = { DB_TUNNEL_HOST: url.hostname, DB_TUNNEL_PORT: url.port, DB_SSLMODE: 'disable', APPRUNNER_WAIT_INTERVAL: '0' };
  return { url, base, database, oldPassword, rules, env };
}

function writtenSecret(fake: FakeCli): Record<string, unknown> {
  const put = fake.calls().find((call) => call.argv.includes('put-secret-value'));
  if (!put) throw new Error('no put-secret-value call');
  return JSON.parse(Object.values(put.files)[0]!) as Record<string, unknown>;
}

test('rotation sets a new password on the idle user, switches the secret, redeploys, and keeps the old user working', async (t) => {
  const { url, base, database, oldPassword, rules, env } = await setup(t);
  const fake = new FakeCli(['aws'], [...rules, { tool: 'aws', match: ['list-operations'], answers: [{ stdout: `${OPERATION_ID}\tSTART_DEPLOYMENT\tSUCCEEDED\n` }] }]);
  const result = await fake.run(script, ['staging'], env);
  t.is(result.code, 0, result.stderr);

  const secret = writtenSecret(fake);
  t.is(secret.username, `${base}_green`);
  t.regex(String(secret.password), /^[0-9a-f]{64}$/);
  t.is(secret.url, `postgres://${base}_green:${String(secret.password)}@db.internal:5432/${database}?sslmode=verify-full`);
  t.true(await canLogin(url, `${base}_green`, String(secret.password), database), 'the new credentials log in');
  t.true(await canLogin(url, `${base}_blue`, oldPassword, database), 'the serving user is untouched');

  const order = fake.calls().map((call) => call.argv[1]);
  t.true(order.indexOf('put-secret-value') < order.indexOf('start-deployment'), 'the secret changes before the redeploy');
  // The password never appears in argv or output.
  const password = String(secret.password);
  t.false(fake.calls().some((call) => call.argv.join(' ').includes(password)));
  t.false(result.stdout.includes(password) || result.stderr.includes(password));
});

test('REVOKE_PREVIOUS=1 removes LOGIN from the previous user only after the deploy succeeded', async (t) => {
  const { url, base, database, oldPassword, rules, env } = await setup(t);
  const fake = new FakeCli(['aws'], [...rules, { tool: 'aws', match: ['list-operations'], answers: [{ stdout: `${OPERATION_ID}\tSTART_DEPLOYMENT\tSUCCEEDED\n` }] }]);
  const result = await fake.run(script, ['staging'], { ...env, REVOKE_PREVIOUS: '1' });
  t.is(result.code, 0, result.stderr);
  t.false(await canLogin(url, `${base}_blue`, oldPassword, database));
  t.true(await canLogin(url, `${base}_green`, String(writtenSecret(fake).password), database));
});

test('a failed redeploy leaves the serving user working and says how to resume', async (t) => {
  const { url, base, database, oldPassword, rules, env } = await setup(t);
  const fake = new FakeCli(['aws'], [...rules, { tool: 'aws', match: ['list-operations'], answers: [{ stdout: `${OPERATION_ID}\tSTART_DEPLOYMENT\tROLLBACK_SUCCEEDED\n` }] }]);
  const result = await fake.run(script, ['staging'], { ...env, REVOKE_PREVIOUS: '1' });
  t.is(result.code, 1);
  t.regex(result.stderr, /rerun redeploy\.sh staging/);
  t.true(await canLogin(url, `${base}_blue`, oldPassword, database), 'no revoke after a failed deploy');
});

test('a secret whose user is not one of the alternating pair stops the rotation before any change', async (t) => {
  const fake = new FakeCli(['aws'], [
    { tool: 'aws', match: ['get-secret-value'], answers: [{ stdout: '{"username":"postgres","password":"x","host":"h","port":5432,"dbname":"auth"}\n' }] },
  ]);
  const result = await fake.run(script, ['staging'], {});
  t.is(result.code, 1);
  t.regex(result.stderr, /not one of the alternating users/);
  t.false(fake.calls().some((call) => call.argv.includes('put-secret-value')));
});

test('the SCRAM verifier matches PostgreSQL: a role given only the verifier logs in with the password', async (t) => {
  const { url, base, database } = await setup(t);
  const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
  t.teardown(() => admin.end({ timeout: 1 }));
  const password = randomBytes(32).toString('hex');
  await admin.unsafe(`alter role ${base}_green with login password '${scramSha256Verifier(password) as string}'`);
  t.true(await canLogin(url, `${base}_green`, password, database));
  t.false(await canLogin(url, `${base}_green`, `${password}x`, database));
});

test('ClickHouse rotation sends only the SHA-256 of the new password, then switches the secret and redeploys', async (t) => {
  const current = { username: 'auth_app_green', password: 'old', url: 'https://ch.internal:8443', database: 'auth' };
  const admin = { username: 'default', password: 'admin-password', url: 'https://ch.internal:8443' };
  const fake = new FakeCli(['aws', 'curl'], [
    { tool: 'aws', match: ['get-secret-value', 'auth/staging/clickhouse-admin'], answers: [{ stdout: `${JSON.stringify(admin)}\n` }] },
    { tool: 'aws', match: ['get-secret-value', 'auth/staging/clickhouse'], answers: [{ stdout: `${JSON.stringify(current)}\n` }] },
    { tool: 'curl', match: ['https://ch.internal:8443/'], answers: [{ stdout: '' }] },
    { tool: 'aws', match: ['put-secret-value', 'auth/staging/clickhouse'], answers: [{ stdout: `${VERSION_ID}\n` }] },
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['start-deployment'], answers: [{ stdout: `${OPERATION_ID}\n` }] },
    { tool: 'aws', match: ['describe-service', 'Service.Status'], answers: [{ stdout: 'RUNNING\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: `${OPERATION_ID}\tSTART_DEPLOYMENT\tSUCCEEDED\n` }] },
  ]);
  const script = join(repoRoot, 'runbooks', 'scripts', 'rotate-clickhouse-credentials.sh');
  const result = await fake.run(script, ['staging'], { FAKE_CLI_READ_STDIN: 'curl', APPRUNNER_WAIT_INTERVAL: '0' });
  t.is(result.code, 0, result.stderr);

  const put = fake.calls().find((call) => call.argv.includes('put-secret-value'))!;
  const written = JSON.parse(Object.values(put.files)[0]!) as typeof current;
  t.is(written.username, 'auth_app_blue');
  t.is(written.database, 'auth', 'other keys of the secret are kept');
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256').update(written.password).digest('hex');
  const curl = fake.calls().find((call) => call.tool === 'curl')!;
  t.is(curl.stdin, `ALTER USER auth_app_blue IDENTIFIED WITH sha256_hash BY '${hash}'`);
  t.false(curl.argv.join(' ').includes('admin-password'), 'admin password is not in argv');
  t.regex(Object.values(curl.files)[0]!, /X-ClickHouse-Key: admin-password/);
  t.false(JSON.stringify(fake.calls().map((call) => [call.argv, call.stdin])).includes(written.password));
});

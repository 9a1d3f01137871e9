// The JWT signing key rotation script, run with the real key CLI (app/src/ops/signing-keys.ts) and a
// fake `aws`: each step must produce a set the service accepts, keep key material out of argv and
// output, and refuse a step taken before the previous one can have reached every verifier.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FakeCli, type FakeRule } from './lib/fake-cli.ts';
import { repoRoot } from './lib/hcl.ts';

const script = join(repoRoot, 'runbooks', 'scripts', 'rotate-jwt-signing-keys.sh');
const cli = join(repoRoot, 'app', 'src', 'ops', 'signing-keys.ts');
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
const SERVICE_ARN = 'arn:aws:apprunner:eu-west-1:111111111111:service/auth-prod/0123456789abcdef';

interface Jwk { kid: string; status: string; d: string }

function keysCli(step: string, input = ''): string {
  return execFileSync(tsx, [cli, step], { input, encoding: 'utf8' });
}

function secretRules(value: string, changedSecondsAgo: number): FakeRule[] {
  const changed = new Date(Date.now() - changedSecondsAgo * 1000).toISOString();
  return [
    { tool: 'aws', match: ['describe-secret', 'auth/prod/jwt-signing-keys'], answers: [{ stdout: `${changed}\n` }] },
    { tool: 'aws', match: ['get-secret-value', 'auth/prod/jwt-signing-keys'], answers: [{ stdout: `${value}\n` }, { stdout: `${value}\n` }] },
    { tool: 'aws', match: ['put-secret-value', 'auth/prod/jwt-signing-keys'], answers: [{ stdout: 'v2\n' }] },
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['start-deployment'], answers: [{ stdout: 'op-1\n' }] },
    { tool: 'aws', match: ['describe-service', 'Service.Status'], answers: [{ stdout: 'RUNNING\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-1\tSTART_DEPLOYMENT\tSUCCEEDED\n' }] },
  ];
}

function written(fake: FakeCli): { keys: Jwk[] } {
  const put = fake.calls().find((call) => call.argv.includes('put-secret-value'));
  if (!put) throw new Error('nothing was written');
  return JSON.parse(Object.values(put.files)[0]!) as { keys: Jwk[] };
}

const env = { APPRUNNER_WAIT_INTERVAL: '0' };

test('the three deploys: add-next publishes, promote switches signing, retire drops the old key', async (t) => {
  const initial = keysCli('generate').trim();
  const [original] = (JSON.parse(initial) as { keys: Jwk[] }).keys;

  const addNext = new FakeCli(['aws'], secretRules(initial, 5000));
  const r1 = await addNext.run(script, ['prod', 'add-next'], env);
  t.is(r1.code, 0, r1.stderr);
  const afterAdd = written(addNext);
  t.deepEqual(afterAdd.keys.map((key) => key.status), ['current', 'next']);
  t.is(afterAdd.keys[0]!.kid, original!.kid);

  const promote = new FakeCli(['aws'], secretRules(JSON.stringify(afterAdd), 5000));
  const r2 = await promote.run(script, ['prod', 'promote'], env);
  t.is(r2.code, 0, r2.stderr);
  const afterPromote = written(promote);
  t.deepEqual(afterPromote.keys.map((key) => [key.kid, key.status]), [[original!.kid, 'previous'], [afterAdd.keys[1]!.kid, 'current']]);

  const retire = new FakeCli(['aws'], secretRules(JSON.stringify(afterPromote), 5000));
  const r3 = await retire.run(script, ['prod', 'retire'], env);
  t.is(r3.code, 0, r3.stderr);
  t.deepEqual(written(retire).keys.map((key) => key.status), ['current']);

  // Private key material never leaves through argv or output.
  for (const [fake, result] of [[addNext, r1], [promote, r2], [retire, r3]] as const) {
    for (const key of afterPromote.keys) {
      t.false(result.stdout.includes(key.d) || result.stderr.includes(key.d));
      t.false(fake.calls().some((call) => call.argv.join(' ').includes(key.d)));
    }
  }
});

test('promote and retire refuse to run before the JWKS caches and token lifetime have passed', async (t) => {
  const withNext = keysCli('add-next', keysCli('generate'));
  for (const step of ['promote', 'retire']) {
    const fake = new FakeCli(['aws'], secretRules(withNext.trim(), 60));
    const result = await fake.run(script, ['prod', step], env);
    t.is(result.code, 1, step);
    t.regex(result.stderr, /changed \d+s ago/);
    t.false(fake.calls().some((call) => call.argv.includes('put-secret-value')));
  }
});

test('a step the key set does not allow writes nothing and redeploys nothing', async (t) => {
  const fake = new FakeCli(['aws'], secretRules(keysCli('generate').trim(), 5000));
  const result = await fake.run(script, ['prod', 'promote'], env);
  t.is(result.code, 1);
  t.regex(result.stderr, /no next key/);
  t.false(fake.calls().some((call) => call.argv.includes('put-secret-value') || call.argv.includes('start-deployment')));
});

test('emergency replaces every key with one new current key', async (t) => {
  const initial = keysCli('add-next', keysCli('generate')).trim();
  const fake = new FakeCli(['aws'], secretRules(initial, 10));
  const result = await fake.run(script, ['prod', 'emergency'], env);
  t.is(result.code, 0, result.stderr);
  const keys = written(fake).keys;
  t.is(keys.length, 1);
  t.is(keys[0]!.status, 'current');
  t.false((JSON.parse(initial) as { keys: Jwk[] }).keys.some((key) => key.kid === keys[0]!.kid));
});

test('SKIP_REDEPLOY=1 writes the first key set of a new environment without touching App Runner', async (t) => {
  const fake = new FakeCli(['aws'], secretRules('{"keys":[]}', 10));
  const result = await fake.run(script, ['prod', 'emergency'], { ...env, SKIP_REDEPLOY: '1' });
  t.is(result.code, 0, result.stderr);
  t.is(written(fake).keys.length, 1);
  t.false(fake.calls().some((call) => call.argv[0] === 'apprunner'));
});
